import { defineServerApiSuite } from '../helpers/server-api-suite';
import { postgresSuiteDatabases } from '../helpers/suite-server';

const postgres = postgresSuiteDatabases();

defineServerApiSuite('PostgreSQL', postgres.database('api'));
