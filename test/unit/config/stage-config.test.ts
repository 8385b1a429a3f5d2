import { checkAlertsConfig, parsePartners, stageConfig, type StageConfig } from '../../../lib/config/stage-config';

const partner = {
  name: 'northwind-bank',
  scopes: ['rates.read', 'conversions.write'],
  throttle: { rateLimit: 20, burstLimit: 40 },
  quotaPerDay: 50000,
};

describe('partners from CDK context', () => {
  it('replaces the stage’s partners with the context list, as a JSON string or an array', () => {
    expect(stageConfig('prod').api.partners).toEqual([]);
    expect(stageConfig('prod', { partners: JSON.stringify([partner]) }).api.partners).toEqual([partner]);
    expect(stageConfig('dev', { partners: [partner] }).api.partners).toEqual([partner]);
    // The rest of the API block stays the stage's.
    expect(stageConfig('prod', { partners: [partner] }).api.throttle).toEqual(stageConfig('prod').api.throttle);
  });

  it('refuses a list that would deploy something other than what the operator meant', () => {
    const cases: [string, unknown, RegExp][] = [
      ['not JSON', '[{"name":', /not valid JSON/],
      ['not a list', JSON.stringify(partner), /invalid at \(root\)/],
      ['an unknown scope', [{ ...partner, scopes: ['rates.write'] }], /invalid at 0\.scopes\.0/],
      ['no scope', [{ ...partner, scopes: [] }], /invalid at 0\.scopes/],
      ['a misspelt field', [{ ...partner, quotaPerday: 5 }], /invalid at 0/],
      ['a name that cannot name an app client', [{ ...partner, name: 'Northwind Bank' }], /invalid at 0\.name/],
      ['a fractional burst', [{ ...partner, throttle: { rateLimit: 1, burstLimit: 1.5 } }], /0\.throttle\.burstLimit/],
      ['the same name twice', [partner, partner], /unique/],
    ];
    for (const [, value, message] of cases) {
      expect(() => parsePartners(value)).toThrow(message);
    }
  });
});

describe('the alerts block', () => {
  const local = stageConfig('local');
  const check = (alerts: Partial<StageConfig['alerts']>) => () => checkAlertsConfig({ stage: 'local', alerts: { ...local.alerts, ...alerts } });

  it('holds for every stage', () => {
    for (const stage of ['dev', 'prod', 'local']) expect(() => checkAlertsConfig(stageConfig(stage))).not.toThrow();
  });

  it('refuses what would send from the wrong address or never close a window', () => {
    expect(check({ email: { ...local.alerts.email, sender: 'alerts@elsewhere.example' } })).toThrow('email.sender alerts@elsewhere.example is not within the identity alerts@fx-platform.local');
    expect(check({ email: { ...local.alerts.email, identity: 'fx.example.com', sender: 'alerts@fx.example.com' } })).not.toThrow();
    expect(check({ highValueDigest: { recipients: ['ops@example.com'], windowMinutes: 7 } })).toThrow('windowMinutes');
    expect(check({ highValueDigest: { recipients: [], windowMinutes: 15 } })).toThrow('recipients');
    expect(check({ maxRulesPerPartner: 0 })).toThrow('maxRulesPerPartner');
    expect(check({ defaultHysteresisPercent: '0' })).toThrow('defaultHysteresisPercent');
  });
});
