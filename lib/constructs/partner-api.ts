import { ArnFormat, Aws, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as triggers from 'aws-cdk-lib/triggers';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { z } from 'zod';
import type { PartnerConfig, StageConfig } from '../config/stage-config';
import { FxFunction, retentionFor } from './fx-function';
import type { TableGrant } from '../definitions/functions';
import {
  GATEWAY_ERRORS,
  PARTNER_FACING_FUNCTIONS,
  SEED_CURRENCIES,
  apiDocsEnv,
  isPublicRoute,
  methodRequestParameters,
  type GatewayErrorDefinition,
} from '../definitions/partner-api';
import { TABLES, type TableKey } from '../definitions/resources';
import {
  RESOURCE_SERVER,
  ROUTES,
  SCOPES,
  SCOPE_DESCRIPTIONS,
  Schemas,
  fullScope,
  type ApiFunctionName,
  type RouteDefinition,
  type Scope,
} from '../../lambdas/shared/api-contract';
import { ENV } from '../../lambdas/shared/env-names';

export interface PartnerApiProps {
  /** Stage name: the API Gateway stage, and part of the default Cognito domain prefix. */
  readonly stage: string;
  /** The stage config's `api` block: stage throttling, partners, Cognito domain prefix. */
  readonly api: StageConfig['api'];
  /** The function behind each API function name of the contract (FxFunction instances fit). */
  readonly functions: Readonly<Record<ApiFunctionName, { readonly fn: lambda.Function }>>;
  /** The API table, which the seed function fills with the supported currencies on deploy. */
  readonly apiTable: dynamodb.ITable;
  /** @default 14 */
  readonly logRetentionDays?: number;
  /** Keep the user pool (and partners' credentials) and the logs when the stack is deleted. @default false */
  readonly retainData?: boolean;
  /** Encrypts the access, WAF and seed function logs (its policy must let CloudWatch Logs use it). */
  readonly logsKey?: kms.IKey;
}

/** A partner as deployed: its Cognito app client, its API key and its usage plan. */
export interface DeployedPartner {
  readonly config: PartnerConfig;
  readonly client: cognito.UserPoolClient;
  readonly apiKey: apigateway.IApiKey;
  readonly usagePlan: apigateway.UsagePlan;
}

const JSON_CONTENT_TYPE = 'application/json';

/**
 * The partner REST API, built entirely from api-contract.ts: a Cognito user pool whose app
 * clients (one per partner, client-credentials grant) get access tokens with the `fx-api/*`
 * scopes; one API Gateway method per route with the Cognito authorizer and the route's scopes,
 * request validation from the route's zod schemas, an API key and usage plan per partner, JSON
 * access logs, X-Ray, WAF, and gateway errors in the API's `{ "error": … }` shape. Currencies are
 * seeded by a Trigger after deploy.
 */
export class PartnerApi extends Construct {
  readonly userPool: cognito.UserPool;
  readonly resourceServer: cognito.UserPoolResourceServer;
  readonly domain: cognito.UserPoolDomain;
  readonly api: apigateway.RestApi;
  readonly authorizer: apigateway.CognitoUserPoolsAuthorizer;
  readonly requestValidator: apigateway.RequestValidator;
  readonly accessLogs: logs.LogGroup;
  readonly webAcl: wafv2.CfnWebACL;
  /** `aws-waf-logs-fx-partner-api-<stage>`: WAF's decisions, without tokens or API keys. */
  readonly wafLogs: logs.LogGroup;
  /** One method per route of ROUTES, by operationId. */
  readonly methods: Record<string, apigateway.Method>;
  readonly partners: readonly DeployedPartner[];
  readonly seedFunction: FxFunction;
  /** `https://<prefix>.auth.<region>.amazoncognito.com/oauth2/token` */
  readonly tokenUrl: string;
  /** The stage URL, `https://<api id>.execute-api.<region>.<suffix>/<stage>` (what partners call). */
  readonly baseUrl: string;

  private readonly models = new Map<string, apigateway.Model>();
  private readonly props: PartnerApiProps;

  constructor(scope: Construct, id: string, props: PartnerApiProps) {
    super(scope, id);
    this.props = props;
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // ---- Cognito: machine clients only ------------------------------------------------------
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `fx-partners-${props.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
      },
      mfa: cognito.Mfa.OFF,
      accountRecovery: cognito.AccountRecovery.NONE,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
      deletionProtection: props.retainData,
      removalPolicy,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG2',
      reason:
        'The pool has no users and no sign-up: partners are app clients using the client-credentials grant with a secret, where MFA does not apply.',
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG8',
      reason:
        'Plus-tier threat protection evaluates user sign-ins; this pool only issues client-credentials tokens to app clients, which it does not evaluate.',
    });

    this.resourceServer = this.userPool.addResourceServer('ResourceServer', {
      identifier: RESOURCE_SERVER,
      userPoolResourceServerName: 'FX Platform partner API',
      scopes: (Object.values(SCOPES) as Scope[]).map(
        (s) =>
          new cognito.ResourceServerScope({
            scopeName: s,
            scopeDescription: SCOPE_DESCRIPTIONS[s],
          }),
      ),
    });
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.api.domainPrefix ?? defaultDomainPrefix(props.stage) },
    });
    this.tokenUrl = `${this.domain.baseUrl()}/oauth2/token`;

    // ---- REST API ---------------------------------------------------------------------------
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: retentionFor(props.logRetentionDays ?? 14),
      encryptionKey: props.logsKey,
      removalPolicy,
    });
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: `fx-partner-api-${props.stage}`,
      description: 'FX Platform partner API: rates, conversion quotes and conversions',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
      // Execution logs (errors only) need the account-wide API Gateway logging role; kept on stack
      // deletion because every REST API in the account and region shares it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: props.stage,
        tracingEnabled: true,
        throttlingRateLimit: props.api.throttle.rateLimit,
        throttlingBurstLimit: props.api.throttle.burstLimit,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        // Request and response bodies carry tokens and partner data: never logged.
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: accessLogFormat(),
        // Public routes get their own, lower limits: anonymous traffic on them cannot use up
        // what the partners' routes are given.
        methodOptions: Object.fromEntries(
          ROUTES.filter(isPublicRoute).map((route) => [
            `${route.path}/${route.method}`,
            {
              throttlingRateLimit: props.api.publicThrottle.rateLimit,
              throttlingBurstLimit: props.api.publicThrottle.burstLimit,
            },
          ]),
        ),
      },
    });
    // The stack publishes the URL under its own output name (STACK_OUTPUTS.partnerApiUrl).
    this.api.node.tryRemoveChild('Endpoint');
    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The AWS-managed policy API Gateway documents for its account-wide logging role; it only writes CloudWatch logs.',
    });

    this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'Authorizer', {
      cognitoUserPools: [this.userPool],
      authorizerName: 'partner-access-token',
      identitySource: apigateway.IdentitySource.header('Authorization'),
    });
    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.addGatewayResponses();

    this.methods = Object.fromEntries(
      ROUTES.map((route) => [route.operationId, this.addRoute(route)]),
    );

    // The stage URL from the API id and the stage name, not from the stage resource: the stage
    // depends on the methods, which depend on this function.
    const stack = Stack.of(this);
    this.baseUrl = `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${props.stage}`;
    for (const [name, value] of Object.entries(apiDocsEnv({ apiBaseUrl: this.baseUrl, tokenUrl: this.tokenUrl }))) {
      props.functions['api-docs'].fn.addEnvironment(name, value);
    }

    this.partners = props.api.partners.map((partner) => this.addPartner(partner));
    this.tellFunctionsTheKeyOwners();
    this.webAcl = this.addWebAcl();
    this.wafLogs = this.addWafLogging(this.webAcl, removalPolicy);
    this.seedFunction = this.addSeed();
  }

  private addRoute(route: RouteDefinition): apigateway.Method {
    const resource = this.api.root.resourceForPath(route.path);
    const integration = new apigateway.LambdaIntegration(this.props.functions[route.function].fn, {
      proxy: true,
      allowTestInvoke: false,
    });
    const isPublic = isPublicRoute(route);
    const method = resource.addMethod(route.method, integration, {
      operationName: route.operationId,
      ...(isPublic
        ? { authorizationType: apigateway.AuthorizationType.NONE }
        : {
            authorizationType: apigateway.AuthorizationType.COGNITO,
            authorizer: this.authorizer,
            authorizationScopes: route.scopes.map(fullScope),
          }),
      apiKeyRequired: !isPublic,
      requestValidator: this.requestValidator,
      requestParameters: methodRequestParameters(route),
      requestModels: route.body
        ? { [JSON_CONTENT_TYPE]: this.model(route.body, 'input') }
        : undefined,
      methodResponses: [
        {
          statusCode: String(route.response.status),
          responseModels:
            route.response.schema !== undefined
              ? {
                  [JSON_CONTENT_TYPE]: this.model(
                    route.response.schema,
                    'output',
                    `${pascal(route.operationId)}Response`,
                  ),
                }
              : undefined,
        },
        ...['400', '401', '403', '404', '409', '413', '415', '429'].map((statusCode) => ({
          statusCode,
          responseModels: { [JSON_CONTENT_TYPE]: this.model(Schemas.Error, 'output') },
        })),
      ],
    });
    if (isPublic) {
      const reason = `${route.method} ${route.path} is public documentation of the API: no token and no API key, by design.`;
      Validations.of(method).acknowledge({ id: 'AwsSolutions::AwsSolutions-APIG4', reason });
      Validations.of(method).acknowledge({ id: 'AwsSolutions::AwsSolutions-COG4', reason });
    }
    return method;
  }

  /** One API Gateway model per zod schema, named by its `.meta({ id })` (or the name given). */
  private model(
    schema: z.ZodType,
    io: 'input' | 'output',
    fallbackName?: string,
  ): apigateway.Model {
    const name = (z.globalRegistry.get(schema)?.id as string | undefined) ?? fallbackName;
    if (!name)
      throw new Error('A schema used as an API Gateway model needs .meta({ id }) or a name');
    const key = `${name}:${io}`;
    let model = this.models.get(key);
    if (!model) {
      model = this.api.addModel(`${name}Model`, {
        modelName: name,
        contentType: JSON_CONTENT_TYPE,
        schema: apiGatewaySchema(schema, io, name),
      });
      this.models.set(key, model);
    }
    return model;
  }

  /** Every error API Gateway answers itself keeps the API's `{ "error": { code, message, details } }` shape. */
  private addGatewayResponses(): void {
    for (const def of Object.values(GATEWAY_ERRORS) as GatewayErrorDefinition[]) {
      this.api.addGatewayResponse(`${pascal(def.type)}Response`, {
        type: apigateway.ResponseType.of(def.type),
        statusCode: def.status === undefined ? undefined : String(def.status),
        responseHeaders: { 'Content-Type': "'application/json'" },
        templates: { [JSON_CONTENT_TYPE]: gatewayResponseTemplate(def) },
      });
    }
  }

  private addPartner(partner: PartnerConfig): DeployedPartner {
    const id = pascal(partner.name);
    const client = this.userPool.addClient(`${id}Client`, {
      userPoolClientName: partner.name,
      generateSecret: true,
      authFlows: {},
      oAuth: {
        flows: { clientCredentials: true },
        // Literal `fx-api/<scope>` strings (the resource server is a dependency, below).
        scopes: partner.scopes.map((scope) => cognito.OAuthScope.custom(fullScope(scope))),
      },
      accessTokenValidity: Duration.hours(1),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });
    client.node.addDependency(this.resourceServer);
    // Not `api.addApiKey`: that ties the key to the stage (StageKeys), the stage to the methods and
    // the methods to the functions, whose environment names the key: a cycle. The usage plan
    // below is what binds the key to the stage.
    const apiKey = new apigateway.ApiKey(this.api, `${id}ApiKey`, {
      apiKeyName: `fx-${this.props.stage}-${partner.name}`,
      description: `Partner ${partner.name}: send as x-api-key with the bearer token`,
    });
    const usagePlan = this.api.addUsagePlan(`${id}UsagePlan`, {
      name: `fx-${this.props.stage}-${partner.name}`,
      description: `Throttle and daily quota of partner ${partner.name}`,
      throttle: { rateLimit: partner.throttle.rateLimit, burstLimit: partner.throttle.burstLimit },
      quota: { limit: partner.quotaPerDay, period: apigateway.Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    usagePlan.addApiKey(apiKey);
    return { config: partner, client, apiKey, usagePlan };
  }

  /**
   * `PARTNER_API_KEYS_JSON` for every function behind a protected route: each partner's app
   * client id and the id of its API key, so a handler refuses a token that came with another
   * partner's key (API Gateway only checks that the key exists).
   */
  private tellFunctionsTheKeyOwners(): void {
    const owners = Stack.of(this).toJsonString(
      Object.fromEntries(this.partners.map((p) => [p.client.userPoolClientId, p.apiKey.keyId])),
    );
    for (const name of PARTNER_FACING_FUNCTIONS) this.props.functions[name].fn.addEnvironment(ENV.partnerApiKeys, owners);
  }

  /** A rate limit per client IP, AWS managed common rules and known bad inputs; a body over 8 KB gets the API's 413. */
  private addWebAcl(): wafv2.CfnWebACL {
    const visibility = (metricName: string) => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    const managed = (
      name: string,
      priority: number,
      overrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[],
    ) => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides: overrides },
      },
      visibilityConfig: visibility(name),
    });
    const tooLarge = GATEWAY_ERRORS.requestTooLarge;
    const throttled = GATEWAY_ERRORS.throttled;
    const { waf } = this.props.api;
    const acl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: `FX partner API, stage ${this.props.stage}`,
      visibilityConfig: visibility(`fx-partner-api-${this.props.stage}`),
      customResponseBodies: {
        TooManyRequests: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: {
              code: throttled.code,
              message: `More than ${waf.maxRequestsPerIp} requests in ${waf.windowSeconds} s from this address`,
            },
          }),
        },
        PayloadTooLarge: {
          contentType: 'APPLICATION_JSON',
          content: JSON.stringify({
            error: {
              code: tooLarge.code,
              message: 'The request body is larger than the API accepts (8 KB)',
            },
          }),
        },
      },
      rules: [
        // First: a flood from one address is blocked before the managed rules (or API Gateway's
        // authorizer and throttles) spend anything on it.
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: {
            block: {
              customResponse: { responseCode: throttled.status, customResponseBodyKey: 'TooManyRequests' },
            },
          },
          statement: {
            rateBasedStatement: {
              limit: waf.maxRequestsPerIp,
              evaluationWindowSec: waf.windowSeconds,
              aggregateKeyType: 'IP',
            },
          },
          visibilityConfig: visibility('RateLimitPerIp'),
        },
        managed('AWSManagedRulesCommonRuleSet', 1, [
          {
            name: 'SizeRestrictions_BODY',
            actionToUse: {
              block: {
                customResponse: {
                  responseCode: tooLarge.status,
                  customResponseBodyKey: 'PayloadTooLarge',
                },
              },
            },
          },
        ]),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 2),
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: acl.attrArn,
    });
    return acl;
  }

  /**
   * WAF logging to CloudWatch Logs: the group's name must start with `aws-waf-logs-`, and the
   * log delivery service may write to it (the policy WAF would otherwise try to add itself).
   * The bearer token and the API key are redacted from every record.
   */
  private addWafLogging(acl: wafv2.CfnWebACL, removalPolicy: RemovalPolicy): logs.LogGroup {
    const logGroupName = `aws-waf-logs-fx-partner-api-${this.props.stage}`;
    const group = new logs.LogGroup(this, 'WafLogs', {
      logGroupName,
      retention: retentionFor(this.props.logRetentionDays ?? 14),
      encryptionKey: this.props.logsKey,
      removalPolicy,
    });
    const stack = Stack.of(this);
    const policy = new logs.ResourcePolicy(this, 'WafLogsDelivery', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [group.logGroupArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': stack.account },
            ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*' }) },
          },
        }),
      ],
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'WafLogging', {
      resourceArn: acl.attrArn,
      // WAF wants the group's ARN without the `:*` the ARN attribute ends with.
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [{ singleHeader: { Name: 'authorization' } }, { singleHeader: { Name: 'x-api-key' } }],
    });
    logging.node.addDependency(group, policy);
    return group;
  }

  /** The seed function, built like every FX function, run by a Trigger when its code changes. */
  private addSeed(): FxFunction {
    const { name, definition } = SEED_CURRENCIES;
    const fn = new FxFunction(this, definition.id, {
      definition,
      name,
      stage: this.props.stage,
      logRetentionDays: this.props.logRetentionDays,
      retainLogs: this.props.retainData,
      logsKey: this.props.logsKey,
    });
    for (const [key, grant] of Object.entries(definition.tables) as [TableKey, TableGrant][]) {
      if (key !== 'api') throw new Error(`${name} may only use the API table`);
      fn.useTable(TABLES[key], this.props.apiTable, grant);
    }
    new triggers.Trigger(this, 'SeedCurrenciesTrigger', {
      handler: fn.fn,
      executeOnHandlerChange: true,
      // Partners never see the API without its currencies.
      executeBefore: [this.api.deploymentStage],
      timeout: Duration.seconds(definition.timeoutSeconds * 2),
    });
    return fn;
  }
}

/** `fx-partners-dev-123456789012`: unique per stage and account (Cognito prefixes are regional). */
export function defaultDomainPrefix(stage: string): string {
  return Fn.join('-', ['fx-partners', stage, Aws.ACCOUNT_ID]);
}

/**
 * The draft-04 JSON Schema API Gateway accepts for a zod schema: `z.toJSONSchema` output with
 * `$ref`s to its own definitions inlined (models cannot reference local definitions) and the
 * keywords API Gateway rejects (`$schema` is set by CDK, `id`, `definitions`) removed.
 */
export function apiGatewaySchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  title: string,
): apigateway.JsonSchema {
  const json = z.toJSONSchema(schema, { target: 'draft-04', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  const definitions = (json.definitions ?? {}) as Record<string, unknown>;
  const inline = (node: unknown, depth: number): unknown => {
    if (depth > 32) throw new Error(`${title}: schema too deep or cyclic for an API Gateway model`);
    if (Array.isArray(node)) return node.map((n) => inline(n, depth + 1));
    if (node === null || typeof node !== 'object') return node;
    const { $ref, ...rest } = node as Record<string, unknown>;
    const base =
      typeof $ref === 'string'
        ? (inline(definitions[$ref.replace('#/definitions/', '')], depth + 1) as object)
        : {};
    const kept = Object.entries(rest).filter(([k]) => !REJECTED_KEYWORDS.has(k));
    return {
      ...base,
      ...Object.fromEntries(
        kept.map(([k, v]) => [k, k === 'properties' ? inlineEach(v, depth) : inline(v, depth + 1)]),
      ),
    };
  };
  const inlineEach = (props: unknown, depth: number) =>
    Object.fromEntries(
      Object.entries(props as Record<string, unknown>).map(([k, v]) => [k, inline(v, depth + 1)]),
    );
  return {
    ...(inline(json, 0) as apigateway.JsonSchema),
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    title,
  };
}

/** Keywords a model must not carry: `$schema` is set by CDK, the rest point at definitions it cannot have. */
const REJECTED_KEYWORDS = new Set(['$schema', 'definitions', '$defs', 'id', '$id']);

/** The gateway response body: the API's error shape, with API Gateway's message where none is fixed. */
export function gatewayResponseTemplate(def: GatewayErrorDefinition): string {
  const code = def.code ?? '$context.error.responseType';
  const message =
    def.message !== undefined ? JSON.stringify(def.message) : '$context.error.messageString';
  return `{"error":{"code":"${code}","message":${message},"details":{"requestId":"$context.requestId"}}}`;
}

function accessLogFormat(): apigateway.AccessLogFormat {
  const f = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      extendedRequestId: f.contextExtendedRequestId(),
      requestTime: f.contextRequestTime(),
      ip: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      httpMethod: f.contextHttpMethod(),
      resourcePath: f.contextResourcePath(),
      path: f.contextPath(),
      status: f.contextStatus(),
      protocol: f.contextProtocol(),
      responseLength: f.contextResponseLength(),
      responseLatency: f.contextResponseLatency(),
      integrationLatency: f.contextIntegrationLatency(),
      clientId: f.contextAuthorizerClaims('client_id'),
      apiKeyId: f.contextIdentityApiKeyId(),
      errorType: f.contextErrorResponseType(),
      errorMessage: f.contextErrorMessage(),
      wafStatus: f.contextWafResponseCode(),
      xrayTraceId: f.contextXrayTraceId(),
    }),
  );
}

/** `acme-payments` → `AcmePayments`, `listCurrencies` → `ListCurrencies`, `DEFAULT_4XX` → `Default4xx`. */
const pascal = (name: string) =>
  name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => (w === w.toUpperCase() ? w.toLowerCase() : w))
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
