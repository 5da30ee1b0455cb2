import { safeErrorMessage } from './safe-error-message';

describe('safeErrorMessage', () => {
  it('removes URLs with their credentials and keys', () => {
    const error = new Error(
      'server response 401 (request={ }, info={ "requestUrl": "https://rpc.example/v3/SECRETKEY" }) postgres://u:pw@db/x',
    );
    const message = safeErrorMessage(error);
    expect(message).not.toMatch(/SECRETKEY|pw@|rpc\.example/);
    expect(message).toContain('server response 401');
  });

  it('bounds the length and accepts non-errors', () => {
    expect(safeErrorMessage('x'.repeat(1000)).length).toBeLessThanOrEqual(301);
    expect(safeErrorMessage(42)).toBe('42');
  });
});
