import { withHttp } from '../../../lambdas/shared/http';
import { rateOperations } from '../../../lambdas/use-cases/rate-queries';
import { apiEvent, bodyOf, errorOf, memoryDeps } from './fakes';

/** The rates API's 400s: the message a partner reads and the issue that names the parameter. Now is 2022-07-13T12:00Z. */
const get = (path: string) => withHttp(rateOperations, memoryDeps())(apiEvent({ method: 'GET', path }));
const query = (path: string, message: string) => ({ issues: [{ in: 'query', path, message }] });

describe('what the rates API refuses, and how it says so', () => {
  it.each([
    [
      '/v1/convert?from=EUR&to=USD&amount=10&at=2022-07-13T12:05:00.001Z',
      'at 2022-07-13T12:05:00.001Z is in the future (now is 2022-07-13T12:00:00.000Z); no rate is in force then yet',
      query('at', 'in the future'),
    ],
    [
      '/v1/convert?from=EUR&to=USD&amount=10&date=2022-07-12&at=2022-07-12T12:00:00Z',
      'Give either date or at, not both',
      query('at', 'not with date'),
    ],
    ['/v1/convert?from=EUR&to=USD&amount=10&date=2022-07-14', 'date 2022-07-14 is in the future (today is 2022-07-13)', query('date', 'in the future')],
    [
      '/v1/rates/history?base=EUR&quote=USD&from=2022-07-06&to=2022-07-12&limit=0',
      'limit must be between 1 and 366',
      query('limit', 'out of range'),
    ],
    [
      '/v1/convert?from=EUR&to=USD&amount=10&at=2022-02-30T12:00:00Z',
      'at "2022-02-30T12:00:00Z" is not a real date and time',
      query('at', 'is not a real date and time'),
    ],
    [
      '/v1/rates/history?base=EUR&quote=USD&from=2022-07-12&to=2022-07-06',
      'Invalid dates: range starts after it ends: 2022-07-12..2022-07-06',
      { from: '2022-07-12', to: '2022-07-06' },
    ],
  ])('%s', async (path, message, details) => {
    const result = await get(path);
    expect({ status: result.statusCode, error: errorOf(result) }).toEqual({ status: 400, error: { code: 'VALIDATION_ERROR', message, details } });
  });

  it('takes the edges: an instant five minutes ahead, today’s date, 366 days of history', async () => {
    expect((await get('/v1/convert?from=EUR&to=USD&amount=10&at=2022-07-13T12:05:00.000Z')).statusCode).toBe(200);
    const today = await get('/v1/convert?from=EUR&to=USD&amount=10&date=2022-07-13');
    expect(today.statusCode).toBe(200);
    expect((await get('/v1/rates/history?base=EUR&quote=USD&from=2022-07-06&to=2022-07-12&limit=366')).statusCode).toBe(200);
    expect(bodyOf(await get('/v1/rates/history?base=EUR&quote=USD&from=2022-07-06&to=2022-07-12&limit=1')).items).toHaveLength(1);
    expect(bodyOf(today).asOf <= '2022-07-13T12:00:00.000Z').toBe(true);
  });

  it('reads an offset whose "+" arrived as a space, with or without minutes', async () => {
    for (const at of ['2022-07-13T13:00:00%2001:00', '2022-07-13T13:00:00%200100', '2022-07-13T13:00:00%2001']) {
      const result = await get(`/v1/convert?from=EUR&to=USD&amount=10&at=${at}`);
      expect({ at, status: result.statusCode }).toEqual({ at, status: 200 });
    }
  });
});
