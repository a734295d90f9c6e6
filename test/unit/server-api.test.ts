import { defineServerApiSuite } from '../helpers/server-api-suite';
import { sqliteSuiteDatabase } from '../helpers/suite-server';

defineServerApiSuite('SQLite', sqliteSuiteDatabase('blockline-server-'));
