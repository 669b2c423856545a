// CORS by an allow-list (CORS_ORIGINS): a web app on a listed origin can call the API from the browser (its
// preflight succeeds, its requests carry the allow-origin header); any other origin gets no CORS header at all;
// Apollo's CSRF prevention still refuses the requests a browser would send without a preflight.
import type { Server } from 'node:http';
import request from 'supertest';
import { recordedDataset } from '../../offline/datasets.js';
import { startHarness } from '../support/harness.js';
import type { Harness } from '../support/harness.js';
import { SAMPLES_DIR } from '../support/test-env.js';

const APP = 'https://app.example.com';
const DEV = 'http://localhost:5173';
const FOREIGN = 'https://evil.example';

describe('CORS (end to end)', () => {
  let h: Harness;
  let server: Server;

  const preflight = (origin: string, headers = 'content-type,authorization') =>
    request(server)
      .options('/graphql')
      .set('origin', origin)
      .set('access-control-request-method', 'POST')
      .set('access-control-request-headers', headers);

  beforeAll(async () => {
    // Listed in capitals, with spaces: the list is normalised.
    h = await startHarness(
      { dataset: recordedDataset(SAMPLES_DIR) },
      { ROLE: 'api', CORS_ORIGINS: `${APP.toUpperCase()} , ${DEV}` },
    );
    server = h.app.getHttpServer() as Server;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers the preflight of a listed origin (204) with that origin, its methods and headers', async () => {
    for (const origin of [APP, DEV]) {
      const res = await preflight(
        origin,
        'authorization,content-type,apollo-require-preflight,x-apollo-operation-name,x-request-id',
      );
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers.vary).toMatch(/\borigin\b/i);
      expect(res.headers['access-control-allow-methods']).toBe('GET,POST,OPTIONS');
      expect(res.headers['access-control-allow-headers']!.split(',').sort()).toEqual(
        [
          'apollo-require-preflight',
          'authorization',
          'content-type',
          'x-apollo-operation-name',
          'x-request-id',
        ].sort(),
      );
      // Cookies are never how the API authenticates.
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    }
  });

  it('gives an unlisted origin no CORS header at all (the browser refuses)', async () => {
    for (const origin of [FOREIGN, `${APP}.evil.example`, 'null', 'http://app.example.com']) {
      const res = await preflight(origin);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['access-control-allow-methods']).toBeUndefined();
      expect(res.headers['access-control-allow-headers']).toBeUndefined();
      const post = await request(server)
        .post('/graphql')
        .set('origin', origin)
        .set('content-type', 'application/json')
        .send({ query: '{ __typename }' });
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('answers a listed origin’s POST (application/json) with the allow-origin header', async () => {
    const res = await request(server)
      .post('/graphql')
      .set('origin', APP)
      .set('content-type', 'application/json')
      .send({ query: '{ cars(first: 1) { totalCount } }' });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.cars.totalCount).toEqual(expect.any(Number));
    expect(res.headers['access-control-allow-origin']).toBe(APP);
    expect(res.headers.vary).toMatch(/\borigin\b/i);
  });

  it('keeps Apollo’s CSRF prevention for requests sent without a preflight, even from a listed origin', async () => {
    const simplePost = await request(server)
      .post('/graphql')
      .set('origin', APP)
      .set('content-type', 'text/plain')
      .send(JSON.stringify({ query: '{ __typename }' }));
    expect(simplePost.status).toBe(400);
    expect(simplePost.text).toMatch(/CSRF|preflight/i);
    const simpleGet = await request(server)
      .get('/graphql')
      .set('origin', APP)
      .query({ query: '{ __typename }' });
    expect(simpleGet.status).toBe(400);
    // With a header a browser can only send after a preflight, the same GET is answered.
    const preflighted = await request(server)
      .get('/graphql')
      .set('origin', APP)
      .set('apollo-require-preflight', 'true')
      .query({ query: '{ __typename }' });
    expect(preflighted.status).toBe(200);
    expect(preflighted.body.data).toEqual({ __typename: 'Query' });
  });
});
