import { Injectable } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { alpha3ToNumeric } from 'i18n-iso-countries';
import { AppConfig } from '@gpu/config';
import { KycError } from '../kyc.errors';

/** Sumsub gives up on a webhook after 5 s: answer (503, so it retries) before that. */
const TIMEOUT_MS = 4_000;
/** An applicant is a few kilobytes; anything far larger is not one. */
const MAX_BODY_BYTES = 1_000_000;

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
      // The configured URL may carry a path prefix (a proxy); redirects are refused, so the
      // token and signature never reach another host.
      response = await fetch(`${this.config.SUMSUB_API_URL.replace(/\/+$/, '')}${path}`, {
        redirect: 'error',
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
    const declared = Number(response.headers.get('content-length') ?? 0);
    const text = declared > MAX_BODY_BYTES ? '' : await response.text().catch(() => '');
    if (text.length === 0 || text.length > MAX_BODY_BYTES)
      throw KycError.providerUnavailable('the provider answered without an applicant');
    const body = jsonOrNull(text) as {
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

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
