import { ChainHeartbeat1764230000000 } from './1764230000000-ChainHeartbeat';
import { ChainPipeline1795774176303 } from './1795774176303-ChainPipeline';
import { AuditLog1795780167434 } from './1795780167434-AuditLog';
import { IdentityKyc1795784625641 } from './1795784625641-IdentityKyc';
import { Farms1795788802333 } from './1795788802333-Farms';
import { Issuance1795794638766 } from './1795794638766-Issuance';
import { Oracle1795803531898 } from './1795803531898-Oracle';
import { Distribution1795814039372 } from './1795814039372-Distribution';
import { Compliance1795816699123 } from './1795816699123-Compliance';
import { TokenizationReview1795820000000 } from './1795820000000-TokenizationReview';
import { RecordGpuSamples1795830000000 } from './1795830000000-RecordGpuSamples';
import { RecordGpuSamplesByProbe1795840000000 } from './1795840000000-RecordGpuSamplesByProbe';

/** Every migration, in order. A new file from `npm run migration:generate` is added here by hand. */
export const MIGRATIONS = [
  ChainHeartbeat1764230000000,
  ChainPipeline1795774176303,
  AuditLog1795780167434,
  IdentityKyc1795784625641,
  Farms1795788802333,
  Issuance1795794638766,
  Oracle1795803531898,
  Distribution1795814039372,
  Compliance1795816699123,
  TokenizationReview1795820000000,
  RecordGpuSamples1795830000000,
  RecordGpuSamplesByProbe1795840000000,
];
