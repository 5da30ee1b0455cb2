import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

export const USER_ROLES = ['investor', 'operator', 'compliance', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const STAFF_ROLES = ['operator', 'compliance', 'admin'] as const satisfies UserRole[];
export type StaffRole = (typeof STAFF_ROLES)[number];

export type UserStatus = 'active' | 'disabled';

/** A person who signs in: an investor (self-registered) or staff (created by an admin). */
@Entity('app_user')
@Check('ck_app_user_role', `"role" IN ('investor', 'operator', 'compliance', 'admin')`)
@Check('ck_app_user_status', `"status" IN ('active', 'disabled')`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Lower-cased; unique. */
  @Column('text', { unique: true })
  email: string;

  /** argon2id, PHC string format (algorithm, parameters and salt included). */
  @Column('text')
  passwordHash: string;

  @Column('text')
  role: UserRole;

  @Column('text', { default: 'active' })
  status: UserStatus;

  /** The admin who created a staff account; null for self-registered investors and the first admin. */
  @Column('uuid', { nullable: true })
  createdBy: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'created_by', foreignKeyConstraintName: 'fk_app_user_created_by' })
  private readonly creator?: User;

  /** Carried by every access token; raised to refuse all earlier ones (password change, account disabled). */
  @Column('integer', { default: 0 })
  sessionVersion: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
