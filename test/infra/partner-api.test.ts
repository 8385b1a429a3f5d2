import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Validations } from 'aws-cdk-lib';
import type { StageName } from '../../lib/config/stage-config';
import { apiGatewaySchema } from '../../lib/constructs/partner-api';
import {
  GATEWAY_ERRORS,
  SEED_CURRENCIES,
  isPublicRoute,
  methodRequestParameters,
} from '../../lib/definitions/partner-api';
import { STACK_OUTPUTS } from '../../lib/definitions/stack-outputs';
import { ENV } from '../../lambdas/shared/env-names';
import {
  RESOURCE_SERVER,
  ROUTES,
  SCOPES,
  SCOPE_DESCRIPTIONS,
  fullScope,
  type RouteDefinition,
  type Scope,
} from '../../lambdas/shared/api-contract';
import {
  asArray,
  logicalIdOf,
  renderIntrinsic,
  resourceOf,
  resourcesOfType,
  stageContext,
  synthFxApp,
  templateOfResource,
  CONTEXT_PARTNERS,
  type CfnResourceJson,
  type SynthesizedFxApp,
} from './helpers';

const STAGES: readonly StageName[] = ['dev', 'prod'];
/** API Gateway's escaping of a resource path in method settings: `/` → `~1`; the root is `/`. */
const methodSettingsPath = (routePath: string) => (routePath === '/' ? '/' : `/${routePath.replace(/\//g, '~1')}`);
const routeEntries = ROUTES.map((r) => [`${r.method} ${r.path}`, r] as [string, RouteDefinition]);
const protectedRoutes = routeEntries.filter(([, r]) => !isPublicRoute(r));
const publicRoutes = routeEntries.filter(([, r]) => isPublicRoute(r));

const built = {} as Record<StageName, SynthesizedFxApp>;
beforeAll(() => {
  for (const stage of STAGES) built[stage] = synthFxApp(stage, stageContext(stage));
});
afterAll(() => {
  for (const stage of STAGES) built[stage]?.dispose();
});

describe.each(STAGES)('partner API (%s)', (stage) => {
  let s: SynthesizedFxApp;
  let template: Template;
  const api = () => s.stateless.partnerApi;
  const methodOf = (route: RouteDefinition): CfnResourceJson =>
    resourceOf(template, logicalIdOf(api().methods[route.operationId]));

  /** `/v1/currencies/{code}`: the path a method's resource sits at, walking up to the API's root. */
  const pathOf = (resourceRef: unknown): string => {
    const ref = (resourceRef as { Ref?: string }).Ref;
    if (!ref) return '';
    const resource = resourceOf(template, ref);
    return `${pathOf(resource.Properties?.ParentId)}/${String(resource.Properties?.PathPart)}`;
  };

  beforeAll(() => {
    s = built[stage];
    template = s.statelessTemplate;
  });

  describe('the documentation function', () => {
    it('tells api-docs the stage URL and the Cognito token endpoint, for the OpenAPI servers and tokenUrl', () => {
      const fn = resourceOf(template, logicalIdOf(s.stateless.functions['api-docs'].fn));
      const env = (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(renderIntrinsic(env[ENV.apiBaseUrl])).toBe(
        `https://\${${logicalIdOf(api().api)}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}/${stage}`,
      );
      expect(renderIntrinsic(env[ENV.apiTokenUrl])).toBe(`https://\${${logicalIdOf(api().domain)}}.auth.\${AWS::Region}.amazoncognito.com/oauth2/token`);
    });

    it('loads no source maps in any function (none ship in the zip)', () => {
      for (const fn of Object.values(resourcesOfType(template, 'AWS::Lambda::Function'))) {
        const env = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
        expect(env.NODE_OPTIONS ?? '').not.toContain('--enable-source-maps');
      }
    });
  });

  describe('REST API methods, from ROUTES and nothing else', () => {
    it('has exactly one method per route, at the route’s path, named by its operationId', () => {
      const methods = Object.values(resourcesOfType(template, 'AWS::ApiGateway::Method'));
      expect(
        methods
          .map((m) => `${String(m.Properties?.HttpMethod)} ${pathOf(m.Properties?.ResourceId) || '/'}`)
          .sort(),
      ).toEqual(ROUTES.map((r) => `${r.method} ${r.path}`).sort());
      for (const route of ROUTES)
        expect(methodOf(route).Properties?.OperationName).toBe(route.operationId);
    });

    it.each(routeEntries)('%s is a Lambda proxy to its function', (_name, route) => {
      const uri = renderIntrinsic(
        (methodOf(route).Properties?.Integration as { Uri: unknown }).Uri,
      );
      expect((methodOf(route).Properties?.Integration as { Type: string }).Type).toBe('AWS_PROXY');
      expect(uri).toContain(
        `\${${logicalIdOf(s.stateless.functions[route.function].fn)}.Arn}/invocations`,
      );
    });

    it.each(protectedRoutes)(
      '%s requires a Cognito token with one of its scopes, and an API key',
      (_name, route) => {
        templateOfResource(
          template,
          logicalIdOf(api().methods[route.operationId]),
        ).hasResourceProperties('AWS::ApiGateway::Method', {
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: { Ref: logicalIdOf(api().authorizer) },
          AuthorizationScopes: route.scopes.map(fullScope),
          ApiKeyRequired: true,
        });
        expect(
          route.scopes.map(fullScope).every((sc) => sc.startsWith(`${RESOURCE_SERVER}/`)),
        ).toBe(true);
      },
    );

    it.each(publicRoutes)('%s is public: no authorizer, no scopes, no API key', (_name, route) => {
      const props = methodOf(route).Properties!;
      expect(props.AuthorizationType).toBe('NONE');
      expect(props.AuthorizerId).toBeUndefined();
      expect(props.AuthorizationScopes).toBeUndefined();
      expect(props.ApiKeyRequired).toBe(false);
    });

    it('acknowledges the missing authorizer on the public methods only, with a reason', () => {
      const acked = ROUTES.filter((r) =>
        api().methods[r.operationId].node.metadata.some(
          (m) =>
            m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY &&
            Object.keys(m.data as object).includes('AwsSolutions::AwsSolutions-APIG4'),
        ),
      ).map((r) => r.operationId);
      expect(acked.sort()).toEqual(publicRoutes.map(([, r]) => r.operationId).sort());
    });

    it.each(routeEntries)(
      '%s validates its required parameters and headers (from the zod schemas)',
      (_name, route) => {
        const props = methodOf(route).Properties!;
        expect(props.RequestValidatorId).toEqual({ Ref: logicalIdOf(api().requestValidator) });
        expect(props.RequestParameters ?? {}).toEqual(methodRequestParameters(route));
      },
    );

    it('marks exactly the non-optional query parameters as required', () => {
      const history = methodOf(ROUTES.find((r) => r.operationId === 'rateHistory')!).Properties!;
      expect(history.RequestParameters).toEqual({
        'method.request.querystring.base': true,
        'method.request.querystring.quote': true,
        'method.request.querystring.from': true,
        'method.request.querystring.to': true,
        'method.request.querystring.limit': false,
        'method.request.querystring.cursor': false,
      });
      const create = methodOf(
        ROUTES.find((r) => r.operationId === 'createConversion')!,
      ).Properties!;
      expect(create.RequestParameters).toEqual({ 'method.request.header.Idempotency-Key': true });
    });

    it('has one request validator that checks bodies and parameters', () => {
      templateOfResource(template, logicalIdOf(api().requestValidator)).hasResourceProperties(
        'AWS::ApiGateway::RequestValidator',
        { ValidateRequestBody: true, ValidateRequestParameters: true },
      );
    });

    it.each(routeEntries.filter(([, r]) => r.body))(
      '%s validates its body against a model of the zod schema',
      (_name, route) => {
        const modelRef = (
          methodOf(route).Properties?.RequestModels as Record<string, { Ref: string }>
        )['application/json'];
        const model = resourceOf(template, modelRef.Ref);
        const schema = model.Properties?.Schema as Record<string, unknown>;
        expect(schema).toEqual(
          expect.objectContaining({
            $schema: 'http://json-schema.org/draft-04/schema#',
            type: 'object',
            additionalProperties: false,
          }),
        );
        // Models cannot use local definitions: everything is inlined.
        expect(JSON.stringify(schema)).not.toMatch(/"\$ref"|"definitions"|"\$defs"|"id"/);
        const expected = apiGatewaySchema(
          route.body!,
          'input',
          String(model.Properties?.Name),
        ) as Record<string, unknown>;
        expect(schema.properties).toEqual(expected.properties);
        expect(schema.required).toEqual(expected.required);
      },
    );
  });

  describe('stage', () => {
    const stageResource = () => resourceOf(template, logicalIdOf(api().api.deploymentStage));

    it('throttles at the stage config’s rate and burst, traces with X-Ray, logs errors but never bodies', () => {
      templateOfResource(template, logicalIdOf(api().api.deploymentStage)).hasResourceProperties(
        'AWS::ApiGateway::Stage',
        {
          StageName: stage,
          TracingEnabled: true,
          MethodSettings: Match.arrayWith([
            Match.objectLike({
              HttpMethod: '*',
              ResourcePath: '/*',
              ThrottlingRateLimit: s.config.api.throttle.rateLimit,
              ThrottlingBurstLimit: s.config.api.throttle.burstLimit,
              LoggingLevel: 'ERROR',
              DataTraceEnabled: false,
            }),
          ]),
        },
      );
    });

    it('writes JSON access logs to a log group with the stage’s retention', () => {
      const settings = stageResource().Properties?.AccessLogSetting as {
        DestinationArn: unknown;
        Format: string;
      };
      expect(settings.DestinationArn).toEqual({
        'Fn::GetAtt': [logicalIdOf(api().accessLogs), 'Arn'],
      });
      const format = JSON.parse(settings.Format) as Record<string, string>;
      expect(format).toEqual(
        expect.objectContaining({
          requestId: '$context.requestId',
          status: '$context.status',
          resourcePath: '$context.resourcePath',
          clientId: '$context.authorizer.claims.client_id',
          apiKeyId: '$context.identity.apiKeyId',
          errorType: '$context.error.responseType',
        }),
      );
      const group = resourceOf(template, logicalIdOf(api().accessLogs));
      expect(group.Properties?.RetentionInDays).toBeGreaterThanOrEqual(s.config.logRetentionDays);
      expect(group.DeletionPolicy).toBe(s.config.retainData ? 'Retain' : 'Delete');
    });

    it('is protected by the AWS managed common rule set (WAF)', () => {
      templateOfResource(template, logicalIdOf(api().webAcl)).hasResourceProperties(
        'AWS::WAFv2::WebACL',
        {
          Scope: 'REGIONAL',
          DefaultAction: { Allow: {} },
          Rules: Match.arrayWith([
            Match.objectLike({
              Statement: {
                ManagedRuleGroupStatement: Match.objectLike({
                  VendorName: 'AWS',
                  Name: 'AWSManagedRulesCommonRuleSet',
                }),
              },
            }),
          ]),
        },
      );
      const associations = Object.values(
        resourcesOfType(template, 'AWS::WAFv2::WebACLAssociation'),
      );
      expect(associations).toHaveLength(1);
      expect(associations[0].Properties?.WebACLArn).toEqual({
        'Fn::GetAtt': [logicalIdOf(api().webAcl), 'Arn'],
      });
      const arn = renderIntrinsic(associations[0].Properties?.ResourceArn);
      expect(arn).toContain(
        `/restapis/\${${logicalIdOf(api().api)}}/stages/\${${logicalIdOf(api().api.deploymentStage)}}`,
      );
    });

    it('gives each public route its own method-level throttle, apart from the partners’', () => {
      const settings = stageResource().Properties?.MethodSettings as Record<string, unknown>[];
      for (const [, route] of publicRoutes) {
        expect(settings).toContainEqual(
          expect.objectContaining({
            ResourcePath: methodSettingsPath(route.path),
            HttpMethod: route.method,
            ThrottlingRateLimit: s.config.api.publicThrottle.rateLimit,
            ThrottlingBurstLimit: s.config.api.publicThrottle.burstLimit,
          }),
        );
      }
      expect(s.config.api.publicThrottle.rateLimit).toBeLessThan(s.config.api.throttle.rateLimit);
      // No protected route is limited to the public throttle.
      const limited = settings.filter((m) => m.ResourcePath !== '/*').map((m) => `${String(m.HttpMethod)} ${String(m.ResourcePath)}`);
      expect(limited.sort()).toEqual(publicRoutes.map(([, r]) => `${r.method} ${methodSettingsPath(r.path)}`).sort());
    });

    it('blocks a client IP over the stage’s rate with a WAF rate-based rule, before any other rule', () => {
      const rules = resourceOf(template, logicalIdOf(api().webAcl)).Properties?.Rules as {
        Priority: number;
        Statement: { RateBasedStatement?: Record<string, unknown> };
        Action?: { Block?: { CustomResponse?: { ResponseCode: number; CustomResponseBodyKey: string } } };
      }[];
      const rate = rules.find((r) => r.Statement.RateBasedStatement);
      expect(rate?.Statement.RateBasedStatement).toEqual({
        Limit: s.config.api.waf.maxRequestsPerIp,
        EvaluationWindowSec: s.config.api.waf.windowSeconds,
        AggregateKeyType: 'IP',
      });
      expect(rate!.Priority).toBe(Math.min(...rules.map((r) => r.Priority)));
      expect(rate!.Action?.Block?.CustomResponse?.ResponseCode).toBe(429);
      const bodies = resourceOf(template, logicalIdOf(api().webAcl)).Properties?.CustomResponseBodies as Record<
        string,
        { Content: string }
      >;
      const body = JSON.parse(bodies[rate!.Action!.Block!.CustomResponse!.CustomResponseBodyKey].Content);
      expect(body.error.code).toBe(GATEWAY_ERRORS.throttled.code);
    });

    it('logs WAF decisions to an encrypted aws-waf-logs-* group, without tokens or API keys', () => {
      const configs = Object.values(resourcesOfType(template, 'AWS::WAFv2::LoggingConfiguration'));
      expect(configs).toHaveLength(1);
      const props = configs[0].Properties!;
      expect(props.ResourceArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(api().webAcl), 'Arn'] });
      const destination = renderIntrinsic(asArray(props.LogDestinationConfigs)[0]);
      const groups = Object.values(resourcesOfType(template, 'AWS::Logs::LogGroup')).filter((g) =>
        String(g.Properties?.LogGroupName ?? '').startsWith('aws-waf-logs-'),
      );
      expect(groups).toHaveLength(1);
      const name = String(groups[0].Properties?.LogGroupName);
      // The group's ARN without the `:*` suffix, as WAF requires.
      expect(destination).toMatch(new RegExp(`:logs:.*:log-group:${name}$`));
      expect(groups[0].Properties?.KmsKeyId).toBeDefined();
      expect(groups[0].Properties?.RetentionInDays).toBeGreaterThanOrEqual(s.config.logRetentionDays);
      expect(groups[0].DeletionPolicy).toBe(s.config.retainData ? 'Retain' : 'Delete');
      expect(props.RedactedFields).toEqual(
        expect.arrayContaining([
          { SingleHeader: { Name: 'authorization' } },
          { SingleHeader: { Name: 'x-api-key' } },
        ]),
      );
    });

    it('answers every gateway error in the API’s JSON error shape', () => {
      const responses = Object.values(
        resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse'),
      );
      const byType = new Map(
        responses.map((r) => [String(r.Properties?.ResponseType), r.Properties!]),
      );
      for (const status of ['400', '401', '403', '404', '413', '415', '429']) {
        expect(responses.some((r) => r.Properties?.StatusCode === status)).toBe(true);
      }
      for (const def of Object.values(GATEWAY_ERRORS)) {
        const props = byType.get(def.type);
        expect([def.type, props?.StatusCode]).toEqual([
          def.type,
          'status' in def ? String(def.status) : undefined,
        ]);
        const body = (props?.ResponseTemplates as Record<string, string>)['application/json']
          .replace(/\$context\.error\.messageString/g, '"a message"')
          .replace(/\$context\.[\w.]+/g, 'x');
        expect(JSON.parse(body)).toEqual({
          error: {
            code: 'code' in def ? def.code : 'x',
            message: expect.any(String),
            details: { requestId: 'x' },
          },
        });
      }
      expect(byType.get('MISSING_AUTHENTICATION_TOKEN')?.StatusCode).toBe('404');
    });
  });

  describe('Cognito', () => {
    it('declares the fx-api resource server with every scope of the contract', () => {
      templateOfResource(template, logicalIdOf(api().resourceServer)).hasResourceProperties(
        'AWS::Cognito::UserPoolResourceServer',
        {
          Identifier: RESOURCE_SERVER,
          Scopes: (Object.values(SCOPES) as Scope[]).map((scope) => ({
            ScopeName: scope,
            ScopeDescription: SCOPE_DESCRIPTIONS[scope],
          })),
        },
      );
    });

    it('is a pool for machine clients: no self sign-up, a strong password policy', () => {
      templateOfResource(template, logicalIdOf(api().userPool)).hasResourceProperties(
        'AWS::Cognito::UserPool',
        {
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          Policies: {
            PasswordPolicy: Match.objectLike({
              MinimumLength: Match.anyValue(),
              RequireLowercase: true,
              RequireUppercase: true,
              RequireNumbers: true,
              RequireSymbols: true,
            }),
          },
        },
      );
      expect(resourceOf(template, logicalIdOf(api().userPool)).DeletionPolicy).toBe(
        s.config.retainData ? 'Retain' : 'Delete',
      );
    });

    it('has one client-credentials app client per configured partner, with exactly its scopes', () => {
      const clients = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolClient'));
      expect(clients).toHaveLength(s.config.api.partners.length);
      for (const partner of s.config.api.partners) {
        const deployed = api().partners.find((p) => p.config.name === partner.name)!;
        templateOfResource(template, logicalIdOf(deployed.client)).hasResourceProperties(
          'AWS::Cognito::UserPoolClient',
          {
            ClientName: partner.name,
            GenerateSecret: true,
            AllowedOAuthFlows: ['client_credentials'],
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthScopes: partner.scopes.map(fullScope),
          },
        );
        const scopes = resourceOf(template, logicalIdOf(deployed.client)).Properties
          ?.AllowedOAuthScopes as string[];
        expect(scopes).not.toContain('openid');
      }
    });

    it('hosts /oauth2/token on a Cognito domain named after the stage and account', () => {
      const domain = resourceOf(template, logicalIdOf(api().domain)).Properties!;
      expect(renderIntrinsic(domain.Domain)).toBe(
        s.config.api.domainPrefix ?? `fx-partners-${stage}-\${AWS::AccountId}`,
      );
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(renderIntrinsic(outputs[STACK_OUTPUTS.partnerTokenUrl].Value)).toMatch(
        /^https:\/\/\$\{\w+\}\.auth\.\$\{AWS::Region\}\.amazoncognito\.com\/oauth2\/token$/,
      );
      expect(outputs[STACK_OUTPUTS.partnerApiUrl]).toBeDefined();
      expect(outputs[STACK_OUTPUTS.partnerUserPoolId]).toBeDefined();
    });
  });

  describe('partners from context', () => {
    it('gives every context partner (prod) or configured partner (dev) an app client, API key and usage plan', () => {
      const expected = stage === 'prod' ? CONTEXT_PARTNERS.map((p) => p.name) : s.config.api.partners.map((p) => p.name);
      expect(expected.length).toBeGreaterThan(0);
      const clients = Object.values(resourcesOfType(template, 'AWS::Cognito::UserPoolClient')).map((c) => c.Properties?.ClientName);
      const plans = Object.values(resourcesOfType(template, 'AWS::ApiGateway::UsagePlan')).map((p) => p.Properties?.UsagePlanName);
      expect(clients.sort()).toEqual([...expected].sort());
      expect(plans.sort()).toEqual(expected.map((n) => `fx-${stage}-${n}`).sort());
      template.resourceCountIs('AWS::ApiGateway::ApiKey', expected.length);
    });
  });

  describe('API key ownership', () => {
    it('tells every function behind a protected route which API key id belongs to which app client', () => {
      const expected = Object.fromEntries(
        api().partners.map((p) => [`\${${logicalIdOf(p.client)}}`, `\${${logicalIdOf(p.apiKey)}}`]),
      );
      const functions = [...new Set(protectedRoutes.map(([, r]) => r.function))];
      expect(functions.length).toBeGreaterThan(0);
      for (const name of functions) {
        const vars = (
          resourceOf(template, logicalIdOf(s.stateless.functions[name].fn)).Properties?.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
        expect([name, JSON.parse(renderIntrinsic(vars[ENV.partnerApiKeys]))]).toEqual([name, expected]);
      }
      // The public docs function serves no partner and gets no keys.
      const docs = publicRoutes.map(([, r]) => r.function).filter((f) => !functions.includes(f));
      for (const name of docs) {
        const vars = (
          resourceOf(template, logicalIdOf(s.stateless.functions[name].fn)).Properties?.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
        expect(vars[ENV.partnerApiKeys]).toBeUndefined();
      }
    });
  });

  describe('usage plans', () => {
    it('gives every partner an API key in its own usage plan with its throttle and daily quota', () => {
      const plans = resourcesOfType(template, 'AWS::ApiGateway::UsagePlan');
      expect(Object.keys(plans)).toHaveLength(s.config.api.partners.length);
      const planKeys = Object.values(resourcesOfType(template, 'AWS::ApiGateway::UsagePlanKey'));
      for (const partner of s.config.api.partners) {
        const deployed = api().partners.find((p) => p.config.name === partner.name)!;
        const planId = logicalIdOf(deployed.usagePlan);
        templateOfResource(template, planId).hasResourceProperties('AWS::ApiGateway::UsagePlan', {
          Throttle: {
            RateLimit: partner.throttle.rateLimit,
            BurstLimit: partner.throttle.burstLimit,
          },
          Quota: { Limit: partner.quotaPerDay, Period: 'DAY' },
          ApiStages: [
            {
              ApiId: { Ref: logicalIdOf(api().api) },
              Stage: { Ref: logicalIdOf(api().api.deploymentStage) },
            },
          ],
        });
        const keyIds = planKeys.filter(
          (k) => JSON.stringify(k.Properties?.UsagePlanId) === JSON.stringify({ Ref: planId }),
        );
        expect(keyIds.map((k) => k.Properties?.KeyId)).toEqual([
          { Ref: logicalIdOf(deployed.apiKey.node.defaultChild ?? deployed.apiKey) },
        ]);
      }
    });
  });

  describe('currency seeding', () => {
    it('runs seed-currencies through a Trigger whenever its code changes', () => {
      const triggers = Object.values(resourcesOfType(template, 'Custom::Trigger'));
      expect(triggers).toHaveLength(1);
      expect(triggers[0].Properties).toEqual(
        expect.objectContaining({
          ExecuteOnHandlerChange: true,
          InvocationType: 'RequestResponse',
        }),
      );
      const version = resourceOf(
        template,
        (triggers[0].Properties?.HandlerArn as { Ref: string }).Ref,
      );
      expect(version.Properties?.FunctionName).toEqual({ Ref: logicalIdOf(api().seedFunction.fn) });
    });

    it('builds the seed function like every FX function, granted the API table and nothing else', () => {
      templateOfResource(template, logicalIdOf(api().seedFunction.fn)).hasResourceProperties(
        'AWS::Lambda::Function',
        {
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
          Timeout: SEED_CURRENCIES.definition.timeoutSeconds,
        },
      );
      const roleRef = { Ref: logicalIdOf(api().seedFunction.fn.role!) };
      const statements = Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
        .filter((p) =>
          asArray(p.Properties?.Roles).some((r) => JSON.stringify(r) === JSON.stringify(roleRef)),
        )
        .flatMap(
          (p) =>
            (
              p.Properties?.PolicyDocument as {
                Statement: { Action: string | string[]; Resource: unknown }[];
              }
            ).Statement,
        );
      const dynamo = statements.filter((st) =>
        asArray(st.Action).some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo.length).toBeGreaterThan(0);
      const apiTableExport = logicalIdOf(s.stateful.tables.api);
      for (const st of dynamo) {
        for (const resource of asArray(st.Resource)) {
          const name = (resource as { 'Fn::ImportValue'?: string })['Fn::ImportValue'];
          const outputs = s.statefulTemplate.toJSON().Outputs as Record<
            string,
            { Value: unknown; Export?: { Name: string } }
          >;
          const exported = Object.values(outputs).find((o) => o.Export?.Name === name)?.Value;
          expect(exported).toEqual({ 'Fn::GetAtt': [apiTableExport, 'Arn'] });
        }
      }
    });
  });
});
