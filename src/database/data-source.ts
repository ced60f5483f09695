import 'reflect-metadata';
import { loadEnvironmentOrExit } from '../config/load-environment';

loadEnvironmentOrExit();

import { DataSource } from 'typeorm';
import { databaseConfig } from '../config/configuration';
import { buildDataSourceOptions } from './database.options';

/** Used by the TypeORM CLI (`npm run migration:*`): the same options as the running app. */
export default new DataSource({ ...buildDataSourceOptions(databaseConfig()), migrationsRun: false });
