import { ApiProperty } from '@nestjs/swagger';

class AuditHeadDto {
  @ApiProperty() sequence: string;
  @ApiProperty() hash: string;
}

class AuditProblemDto {
  @ApiProperty() sequence: string;
  @ApiProperty() problem: string;
}

class AnchorDto {
  @ApiProperty() sequence: string;
  @ApiProperty() head: string;
  @ApiProperty({ required: false }) txHash?: string;
  @ApiProperty() blockNumber: string;
}

class AnchorMismatchDto {
  @ApiProperty() sequence: string;
  @ApiProperty() anchored: string;
  @ApiProperty({ nullable: true, type: String }) stored: string | null;
  @ApiProperty({ enum: ['index', 'contract'] }) source: string;
  @ApiProperty({ nullable: true, type: String }) txHash: string | null;
  @ApiProperty({ nullable: true, type: String }) blockNumber: string | null;
}

class AnchorCheckDto {
  @ApiProperty({ description: 'Anchors indexed from the AuditAnchor contract' }) count: number;
  @ApiProperty({ type: AnchorDto, nullable: true }) latest: AnchorDto | null;
  @ApiProperty({
    type: AnchorDto,
    nullable: true,
    required: false,
    description:
      "The contract's last anchor, read from the chain (absent when the chain did not answer)",
  })
  contract?: AnchorDto | null;
  @ApiProperty({ type: [AnchorMismatchDto] }) mismatches: AnchorMismatchDto[];
}

export class AuditVerificationResponse {
  @ApiProperty({ description: 'The hash chain holds and every anchored head matches' })
  valid: boolean;
  @ApiProperty() entries: number;
  @ApiProperty({ type: AuditHeadDto, nullable: true }) head: AuditHeadDto | null;
  @ApiProperty({ type: AuditProblemDto, required: false }) firstProblem?: AuditProblemDto;
  @ApiProperty({ type: AnchorCheckDto }) anchors: AnchorCheckDto;
}
