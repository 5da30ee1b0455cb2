import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import {
  KycError,
  ReceiveSumsubWebhook,
  SUMSUB_ALGORITHM_HEADER,
  SUMSUB_DIGEST_HEADER,
} from '@gpu/kyc';
import { Public } from '../auth/access-policy';
import { WebhookReceiptResponse } from './dto/kyc.dto';

/** The KYC provider's callbacks: authenticated by the HMAC of the body, not by a user. */
@ApiTags('kyc')
@Controller('kyc/webhooks')
export class KycWebhookController {
  constructor(private readonly receive: ReceiveSumsubWebhook) {}

  @Post('sumsub')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Sumsub-compatible webhook (applicantReviewed GREEN/RED), HMAC-SHA256 of the raw body',
  })
  @ApiHeader({ name: SUMSUB_DIGEST_HEADER, required: true })
  @ApiHeader({ name: SUMSUB_ALGORITHM_HEADER, required: false })
  @ApiOkResponse({ type: WebhookReceiptResponse })
  async sumsub(
    @Req() request: RawBodyRequest<FastifyRequest>,
    @Headers(SUMSUB_DIGEST_HEADER) digest: string | undefined,
    @Headers(SUMSUB_ALGORITHM_HEADER) algorithm: string | undefined,
  ): Promise<WebhookReceiptResponse> {
    if (!request.rawBody) throw KycError.webhookPayloadInvalid('send the body as application/json');
    return this.receive.execute({
      rawBody: request.rawBody,
      digest,
      algorithm,
      requestId: request.id,
    });
  }
}
