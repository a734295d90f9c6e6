import { defineMigrationUpgradeSuite } from '../helpers/migration-upgrade-suite';
import { sqliteSuiteDatabase } from '../helpers/suite-server';

defineMigrationUpgradeSuite('SQLite', sqliteSuiteDatabase('blockline-migrations-'));
