import { defineMigrationUpgradeSuite } from '../helpers/migration-upgrade-suite';
import { postgresSuiteDatabases } from '../helpers/suite-server';

const postgres = postgresSuiteDatabases();

defineMigrationUpgradeSuite('PostgreSQL', postgres.database('migrations'));
