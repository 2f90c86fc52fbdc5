import { describe, expect, it } from 'vitest';
import { ConfigError, describeSettings, EnvSchema, loadConfig, SETTINGS } from '../../src/config.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

describe('loadConfig', () => {
  it('when the environment is empty, then every setting has its documented default', () => {
    expect(loadConfig({})).toEqual({
      port: 4010,
      host: '127.0.0.1',
      seed: 'mixpeek',
      clock: 'real',
      virtualStart: Date.parse('2025-01-01T00:00:00.000Z'),
      timeScale: 1,
      apiKeys: [],
      fixturesDir: undefined,
      logLevel: 'info',
      validateResponses: false,
      bodyLimit: 1_048_576,
      maxMigrations: 10_000,
      journalSize: 500,
      corsOrigins: '*',
      latencyMs: { min: 0, max: 0 },
      webhookSecret: undefined,
      webhookAllow: [],
      stateFile: undefined,
      maxUrlLength: 8192,
      maxHeaderBytes: 16_384,
      requestTimeoutMs: 30_000,
      shutdownTimeoutMs: 5_000,
      webhookMaxAttempts: 4,
      webhookBackoffMs: 1000,
      webhookTimeoutMs: 5000,
      webhookLogSize: 500,
      latencyCapMs: 10_000,
    });
  });

  it('when a variable is set to the empty string, then its default applies', () => {
    expect(loadConfig({ PORT: '', MOCK_CLOCK: '  ' }).port).toBe(4010);
  });

  it('when every setting is given, then each is parsed into its camelCase field', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      MOCK_SEED: 'demo',
      MOCK_CLOCK: 'virtual',
      MOCK_VIRTUAL_START: '2030-06-01T12:00:00Z',
      MOCK_TIME_SCALE: '0.05',
      MOCK_API_KEYS: 'sk_live_a, sk_test_b,',
      MOCK_FIXTURES_DIR: '/data/fixtures',
      LOG_LEVEL: 'silent',
      MOCK_VALIDATE_RESPONSES: '1',
      MOCK_BODY_LIMIT_BYTES: '2048',
      MOCK_MAX_MIGRATIONS: '50',
      MOCK_JOURNAL_SIZE: '0',
      MOCK_CORS_ORIGINS: 'http://localhost:3000, https://app.example.com/',
      MOCK_LATENCY_MS: '20-80',
      MOCK_WEBHOOK_SECRET: 'whsec',
      MOCK_WEBHOOK_ALLOW: 'hooks.example.com,*.ngrok.io,localhost:9000',
      MOCK_STATE_FILE: '/tmp/state.json',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      seed: 'demo',
      clock: 'virtual',
      virtualStart: Date.parse('2030-06-01T12:00:00Z'),
      timeScale: 0.05,
      apiKeys: ['sk_live_a', 'sk_test_b'],
      fixturesDir: '/data/fixtures',
      logLevel: 'silent',
      validateResponses: true,
      bodyLimit: 2048,
      maxMigrations: 50,
      journalSize: 0,
      corsOrigins: ['http://localhost:3000', 'https://app.example.com'],
      latencyMs: { min: 20, max: 80 },
      webhookSecret: 'whsec',
      webhookAllow: ['hooks.example.com', '*.ngrok.io', 'localhost:9000'],
      stateFile: '/tmp/state.json',
    });
  });

  it('when MOCK_LATENCY_MS is a single number, then min and max are that number', () => {
    expect(loadConfig({ MOCK_LATENCY_MS: '150' }).latencyMs).toEqual({ min: 150, max: 150 });
  });

  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('when MOCK_VALIDATE_RESPONSES=%s, then validateResponses is %s', (value, expected) => {
    expect(loadConfig({ MOCK_VALIDATE_RESPONSES: value }).validateResponses).toBe(expected);
  });

  it('when the config is loaded, then it is frozen', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it.each([
    ['PORT', 'abc', 'expected an integer 1..65535'],
    ['PORT', '0', 'expected an integer 1..65535'],
    ['PORT', '65536', 'expected an integer 1..65535'],
    ['PORT', '80.5', 'expected an integer 1..65535'],
    ['MOCK_CLOCK', 'fake', 'expected one of real, virtual'],
    ['MOCK_VIRTUAL_START', '2025-01-01', 'expected an ISO-8601 UTC instant'],
    ['MOCK_VIRTUAL_START', '2025-01-01T00:00:00+02:00', 'expected an ISO-8601 UTC instant'],
    ['MOCK_TIME_SCALE', '0', 'expected a number greater than 0 and at most 1000'],
    ['MOCK_TIME_SCALE', '1001', 'expected a number greater than 0 and at most 1000'],
    ['MOCK_TIME_SCALE', 'fast', 'expected a number greater than 0 and at most 1000'],
    ['LOG_LEVEL', 'verbose', 'expected one of fatal, error, warn, info, debug, trace, silent'],
    ['MOCK_VALIDATE_RESPONSES', 'yes', 'expected true, false, 1 or 0'],
    ['MOCK_BODY_LIMIT_BYTES', '-1', 'expected an integer'],
    ['MOCK_MAX_MIGRATIONS', '0', 'expected an integer 1..'],
    ['MOCK_JOURNAL_SIZE', 'lots', 'expected an integer 0..'],
    ['MOCK_CORS_ORIGINS', 'localhost:3000', 'expected * or a comma-separated list of origins'],
    ['MOCK_CORS_ORIGINS', 'http://x.test/path', 'expected * or a comma-separated list of origins'],
    ['MOCK_LATENCY_MS', '80-20', 'expected N or MIN-MAX'],
    ['MOCK_LATENCY_MS', 'slow', 'expected N or MIN-MAX'],
    ['MOCK_LATENCY_MS', '0-60001', 'expected N or MIN-MAX'],
    ['MOCK_WEBHOOK_ALLOW', 'http://example.com/hook', 'expected a comma-separated list of host patterns'],
  ])('when %s=%j, then a ConfigError names the variable, its value and the reason', (name, value, reason) => {
    const error = configError({ [name]: value });
    expect(error.message).toContain(`Invalid setting ${name}=${JSON.stringify(value)}: `);
    expect(error.message).toContain(reason);
  });

  it('when PORT is not a number, then the message reads as documented', () => {
    expect(configError({ PORT: 'abc' }).message).toBe(
      'Invalid setting PORT="abc": expected an integer 1..65535',
    );
  });

  it('when an API key is malformed, then the message names the variable without echoing the keys', () => {
    const error = configError({ MOCK_API_KEYS: 'sk_live_secret1,sk live secret2' });
    expect(error.message).toContain('MOCK_API_KEYS');
    expect(error.message).not.toContain('secret');
  });

  it('when several variables are bad, then every one is reported', () => {
    const error = configError({ PORT: 'x', MOCK_CLOCK: 'y' });
    expect(error.problems).toHaveLength(2);
    expect(error.message).toMatch(/PORT[\s\S]*MOCK_CLOCK|MOCK_CLOCK[\s\S]*PORT/);
  });

  it('when an unknown MOCK_ variable is set, then a ConfigError names it and suggests the closest setting', () => {
    const error = configError({ MOCK_SEEED: 'x' });
    expect(error.message).toContain('Unknown setting MOCK_SEEED');
    expect(error.message).toContain('did you mean MOCK_SEED?');
  });

  it('when unrelated variables are set, then they are ignored', () => {
    expect(loadConfig({ PATH: '/usr/bin', NODE_ENV: 'production', MOCKERY: '1' }).port).toBe(4010);
  });
});

describe('SETTINGS', () => {
  it('when the settings table is listed, then it documents exactly the variables the schema reads', () => {
    expect(SETTINGS.map((s) => s.env).sort()).toEqual(Object.keys(EnvSchema.shape).sort());
  });

  it('when described for the README, then each variable is a row of the Markdown table', () => {
    const table = describeSettings();
    for (const s of SETTINGS) expect(table).toContain(`| \`${s.env}\` |`);
  });
});
