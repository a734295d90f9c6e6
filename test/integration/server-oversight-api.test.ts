import { defineOversightApiSuite } from '../helpers/oversight-api-suite';
import { definePeopleApiSuite } from '../helpers/people-api-suite';
import { postgresSuiteDatabases } from '../helpers/suite-server';

const postgres = postgresSuiteDatabases();

defineOversightApiSuite('PostgreSQL', postgres.database('oversight'));

definePeopleApiSuite('PostgreSQL', postgres.database('people'));
