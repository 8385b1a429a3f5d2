import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges AwsSolutions-IAM5 for one wildcard resource on one policy. cdk-nag v3 needs the
 * exact finding id, which embeds the ARN as cdk-nag renders it, so it is computed, not typed.
 */
export function acknowledgeWildcardResource(policy: IConstruct, arn: string, reason: string): void {
  const rendered = renderForNag(Stack.of(policy).resolve(arn));
  Validations.of(policy).acknowledge({ id: `AwsSolutions::AwsSolutions-IAM5[Resource::${rendered}]`, reason });
}

function renderForNag(resolved: unknown): string {
  if (typeof resolved === 'string') return resolved;
  const value = resolved as Record<string, unknown>;
  if (value.Ref) return `<${String(value.Ref)}>`;
  if (value['Fn::GetAtt']) return `<${(value['Fn::GetAtt'] as string[]).join('.')}>`;
  if (value['Fn::Join']) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.map(renderForNag).join(separator);
  }
  return JSON.stringify(resolved);
}
