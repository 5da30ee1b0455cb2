import { Inject, Injectable, Logger } from '@nestjs/common';
import type { JsonRpcProvider } from 'ethers';
import { DataSource } from 'typeorm';
import {
  type AnchoredHead,
  CHAIN_PROVIDER,
  DEPLOYMENT,
  type Deployment,
  readAnchoredHead,
} from '@gpu/chain';
import { safeErrorMessage } from '@gpu/common';
import { AppConfig } from '@gpu/config';
import { type AnchoredAuditVerification, verifyAuditAnchors } from './audit-anchor-verifier';

/** Verifies the audit log: its hash chain, the indexed anchors and the contract's last anchor. */
@Injectable()
export class AuditVerificationService {
  private readonly logger = new Logger(AuditVerificationService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CHAIN_PROVIDER) private readonly provider: JsonRpcProvider,
    @Inject(DEPLOYMENT) private readonly deployment: Deployment,
    private readonly config: AppConfig,
  ) {}

  /**
   * The contract's last anchor is read from the chain within RPC_TIMEOUT_MS; when the chain does
   * not answer the check goes on without it (`anchors.contract` is then absent).
   */
  async verify(): Promise<AnchoredAuditVerification> {
    let contractHead: AnchoredHead | null | undefined;
    try {
      contractHead = await readAnchoredHead(
        this.provider,
        this.deployment,
        this.config.RPC_TIMEOUT_MS,
      );
    } catch (error) {
      this.logger.warn(
        `the AuditAnchor contract could not be read, checking indexed anchors only: ${safeErrorMessage(error)}`,
      );
    }
    return verifyAuditAnchors(this.dataSource, { contractHead });
  }
}
