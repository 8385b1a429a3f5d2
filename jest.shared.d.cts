import type { Config } from 'jest';

type ProjectConfig = Exclude<NonNullable<Config['projects']>[number], string>;

export declare const shared: ProjectConfig;
export declare const unitProject: ProjectConfig;
