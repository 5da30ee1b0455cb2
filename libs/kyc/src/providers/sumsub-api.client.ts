import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { alpha3ToNumeric } from 'i18n-iso-countries';
import { AppConfig } from '@gpu/config';
import { KycError } from '../kyc.errors';

const TIMEOUT_MS = 10_000;

/** What the provider verified about an applicant, as far as the registry needs it. */
export interface SumsubApplicant {
  id: string;
  externalUserId: string | null;
  /** ISO 3166-1 numeric, from the country Sumsub recognised in the documents; null if none. */
  country: number | null;
}

/**
 * Sumsub's applicant API (`GET /resources/applicants/{id}/one`), signed as Sumsub requires:
 * X-App-Token, X-App-Access-Ts and X-App-Access-Sig = HMAC-SHA256(secret, ts + method + path + body).
 * Webhooks carry no personal data; the verified country comes from here.
 */
@Injectable()
export class SumsubApiClient {
  constructor(private readonly config: AppConfig) {}

  async applicant(applicantId: string): Promise<SumsubApplicant> {
    const token = this.config.SUMSUB_APP_TOKEN;
    const secret = this.config.SUMSUB_SECRET_KEY;
    if (!token || !secret) throw KycError.providerNotConfigured();
    const path = `/resources/applicants/${encodeURIComponent(applicantId)}/one`;
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', secret).update(`${ts}GET${path}`).digest('hex');
    let response: Response;
    try {
      response = await fetch(new URL(path, this.config.SUMSUB_API_URL), {
        headers: {
          accept: 'application/json',
          'X-App-Token': token,
          'X-App-Access-Ts': ts,
          'X-App-Access-Sig': signature,
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch {
      throw KycError.providerUnavailable('the provider did not answer');
    }
    if (response.status === 404)
      throw KycError.webhookPayloadInvalid('the provider knows no such applicant');
    if (!response.ok)
      throw KycError.providerUnavailable(`the provider answered ${response.status}`);
    const body = (await response.json().catch(() => null)) as {
      id?: unknown;
      externalUserId?: unknown;
      info?: { country?: unknown };
    } | null;
    if (!body || typeof body.id !== 'string')
      throw KycError.providerUnavailable('the provider answered without an applicant');
    const alpha3 = typeof body.info?.country === 'string' ? body.info.country : undefined;
    const numeric = alpha3 ? alpha3ToNumeric(alpha3) : undefined;
    return {
      id: body.id,
      externalUserId: typeof body.externalUserId === 'string' ? body.externalUserId : null,
      country: numeric ? Number(numeric) : null,
    };
  }
}
