import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { STAFF_ROLES, type StaffRole, USER_ROLES, type UserRole, type User } from '@gpu/identity';

export class CreateStaffRequest {
  @ApiProperty()
  @IsEmail()
  @MaxLength(254)
  email: string;

  @ApiProperty({ description: 'Initial password, at least 12 and at most 128 characters' })
  @IsString()
  @Length(12, 128)
  password: string;

  @ApiProperty({ enum: STAFF_ROLES })
  @IsIn(STAFF_ROLES)
  role: StaffRole;
}

export class ListUsersQuery {
  @ApiProperty({ enum: USER_ROLES, required: false })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;
}

export class StaffUserResponse {
  @ApiProperty() id: string;
  @ApiProperty() email: string;
  @ApiProperty({ enum: USER_ROLES }) role: string;
  @ApiProperty({ enum: ['active', 'disabled'] }) status: string;
  @ApiProperty({ nullable: true, type: String }) createdBy: string | null;
  @ApiProperty() createdAt: string;
}

export function toStaffUserResponse(user: User): StaffUserResponse {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    status: user.status,
    createdBy: user.createdBy,
    createdAt: user.createdAt.toISOString(),
  };
}
