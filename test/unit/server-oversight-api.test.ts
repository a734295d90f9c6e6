import { defineOversightApiSuite } from '../helpers/oversight-api-suite';
import { definePeopleApiSuite } from '../helpers/people-api-suite';
import { sqliteSuiteDatabase } from '../helpers/suite-server';

defineOversightApiSuite('SQLite', sqliteSuiteDatabase('blockline-oversight-'));

definePeopleApiSuite('SQLite', sqliteSuiteDatabase('blockline-people-'));
