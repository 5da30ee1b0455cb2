import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { Farm } from './farm.entity';

/** Evidence about a farm (title deed, power contract, valuation report): where it is and its hash. */
@Entity('farm_document')
export class FarmDocument {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column('uuid')
  farmId: string;

  @ManyToOne('Farm', 'documents', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'farm_id', foreignKeyConstraintName: 'fk_farm_document_farm' })
  farm?: Farm;

  /** e.g. `valuation-report`. */
  @Column('text')
  type: string;

  @Column('text')
  uri: string;

  /** SHA-256 of the file, hex. */
  @Column('character', { length: 64 })
  sha256: string;
}
