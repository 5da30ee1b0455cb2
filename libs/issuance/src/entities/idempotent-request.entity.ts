import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * The first response to a request sent with an Idempotency-Key, kept so that a replay returns
 * it instead of acting twice. Keys are scoped to the account that sent them.
 */
@Entity('idempotent_request')
export class IdempotentRequest {
  @PrimaryColumn('uuid')
  userId: string;

  @PrimaryColumn('text')
  key: string;

  /** SHA-256 of the route and body: the same key with another request is refused. */
  @Column('character', { length: 64 })
  requestHash: string;

  @Column('smallint')
  statusCode: number;

  @Column('jsonb')
  response: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
