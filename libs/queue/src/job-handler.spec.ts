import { HandlerCoverageError, assertHandlerCoverage } from './job-handler';

describe('assertHandlerCoverage', () => {
  const jobs = ['a.one', 'b.two'];

  it('passes when every job has exactly one handler', () => {
    expect(() => assertHandlerCoverage(jobs, ['b.two', 'a.one'])).not.toThrow();
  });

  it('names a job without a handler', () => {
    expect(() => assertHandlerCoverage(jobs, ['a.one'])).toThrow(/without a handler: b\.two/);
  });

  it('names a job with two handlers', () => {
    expect(() => assertHandlerCoverage(jobs, ['a.one', 'b.two', 'a.one'])).toThrow(
      /several handlers: a\.one/,
    );
  });

  it('names a handler of a job the catalog does not know', () => {
    try {
      assertHandlerCoverage(jobs, ['a.one', 'b.two', 'c.three']);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(HandlerCoverageError);
      expect((error as HandlerCoverageError).unknown).toEqual(['c.three']);
    }
  });
});
