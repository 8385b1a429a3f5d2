#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/fx-app';

buildApp(new App());
