import { randomUUID } from 'node:crypto';

/** A fresh NVIDIA GPU UUID. */
export const gpu = (): string => `GPU-${randomUUID()}`;

/** A complete farm listing (one GPU node, one document), with overrides. */
export function farmBody(overrides: Record<string, unknown> = {}) {
  return {
    name: 'Reykjavik A100 cluster',
    legalEntity: 'Nordic Compute ehf.',
    jurisdiction: 352,
    siteLocation: 'Reykjavik, Iceland',
    valuation: '2500000000000',
    revenueShareBps: 7000,
    nodes: [
      {
        gpuModel: 'NVIDIA A100-SXM4-80GB',
        gpuUuid: gpu(),
        memoryMb: 81_920,
        host: 'rack-a-node-01',
        metricsUrl: 'http://10.0.0.1:9400/metrics',
      },
    ],
    documents: [
      {
        type: 'valuation-report',
        uri: 'https://docs.example.com/valuation.pdf',
        sha256: 'ab'.repeat(32),
      },
    ],
    ...overrides,
  };
}
