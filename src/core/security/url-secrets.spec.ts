import { redactUrl, urlSecrets } from './url-secrets.js';

describe('redactUrl and urlSecrets', () => {
  it('redacts the credentials of every URL form', () => {
    const cases: [string, string][] = [
      ['postgres://u:hunter2@db:5432/x', 'postgres://u:***@db:5432/x'],
      ['redis://:s3cret-pw@cache:6379/0', 'redis://:***@cache:6379/0'],
      ['rediss://default:s3cret-pw@cache:6380', 'rediss://default:***@cache:6380'],
      ['postgres://u:p@ss:w0rd@db/x', 'postgres://u:***@db/x'],
      ['redis://cache:6379?password=s3cret-pw&db=2', 'redis://cache:6379?password=***&db=2'],
      ['postgres://db/x?sslmode=require&pass=s3cret-pw', 'postgres://db/x?sslmode=require&pass=***'],
      [
        'https://h/p?a=1&token=s3cret-pw&access_token=t0ken&api_key=k3y',
        'https://h/p?a=1&token=***&access_token=***&api_key=***',
      ],
      [
        'got "mysql://root:s3cret-pw@db" and redis://:other-pw@r',
        'got "mysql://root:***@db" and redis://:***@r',
      ],
      [
        '/auth/iracing/callback?code=c0de-value&state=st4te&zipcode=12345',
        '/auth/iracing/callback?code=***&state=***&zipcode=12345',
      ],
      ['https://members-ng.iracing.com', 'https://members-ng.iracing.com'],
      ['http://localhost:3000/graphql', 'http://localhost:3000/graphql'],
      ['postgres://user@db/x', 'postgres://user@db/x'],
    ];
    for (const [given, shown] of cases) expect(redactUrl(given)).toBe(shown);
    expect(urlSecrets('redis://:s3cret%40pw@cache?token=t0ken-value')).toEqual(
      expect.arrayContaining(['s3cret%40pw', 's3cret@pw', 't0ken-value']),
    );
    expect(urlSecrets('redis://127.0.0.1:6379')).toEqual([]);
  });
});
