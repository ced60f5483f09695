import 'reflect-metadata';
import { loadEnvironmentOrExit } from '../config/load-environment';

loadEnvironmentOrExit();

import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service';
import { AppModule } from '../app.module';
import { systemActor } from '../common/actor';
import { CustomersService } from '../customers/customers.service';
import { runAs } from '../platform/request-context';
import { ProductsService } from '../products/products.service';

/** `npm run seed`: demo customers, accounts and products for an empty database, through the services. */
async function seed(): Promise<void> {
  process.env.RESTOCK_ENABLED = 'false';
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['warn', 'error'] });
  try {
    const [{ count }] = await app.get(DataSource).query('SELECT COUNT(*) AS count FROM customers');
    if (Number(count) > 0) {
      console.log('The database already has customers: nothing seeded.');
      return;
    }
    // the demo data's events and opening stock movements name the seed as who made them
    await runAs(systemActor('seed'), () => fill(app));
  } finally {
    await app.close();
  }
}

async function fill(app: INestApplicationContext): Promise<void> {
  const customers = app.get(CustomersService);
  const accounts = app.get(AccountsService);
  const people = [
    { name: 'Ada Lovelace', email: 'ada@example.com', phone_number: '+44 20 7946 0958', username: 'ada' },
    { name: 'Grace Hopper', email: 'grace@example.com', phone_number: '+1 202 555 0143', username: 'grace' },
    { name: 'Alan Turing', email: 'alan@example.com', phone_number: null, username: 'alan' },
  ];
  for (const { username, ...person } of people) {
    const customer = await customers.create(person);
    await accounts.create({ customer_id: customer.id, username, password: 'password123' });
  }
  const products = app.get(ProductsService);
  const catalogue = [
    {
      name: 'Espresso beans 1 kg',
      price: 19.99,
      description: 'Single-origin, medium roast',
      stock_quantity: 120,
      reorder_threshold: 20,
      reorder_quantity: 100,
    },
    {
      name: 'Burr grinder',
      price: 149.0,
      description: 'Conical steel burrs, 40 settings',
      stock_quantity: 15,
      reorder_threshold: 3,
      reorder_quantity: 10,
    },
    {
      name: 'Milk jug 350 ml',
      price: 12.5,
      description: 'Stainless steel',
      stock_quantity: 4,
      reorder_threshold: 5,
      reorder_quantity: 25,
    },
    {
      name: 'Paper filters (100)',
      price: 0.1,
      description: 'Priced low on purpose: 0.10 + 0.20 = 0.30 exactly',
      stock_quantity: 500,
      reorder_threshold: 50,
      reorder_quantity: 500,
    },
    { name: 'Cleaning tablets', price: 0.2, description: null, stock_quantity: 0, reorder_threshold: 10, reorder_quantity: 40 },
  ];
  for (const product of catalogue) await products.create(product);
  console.log(`Seeded ${people.length} customers with accounts (password "password123") and ${catalogue.length} products.`);
}

seed().catch((error: Error) => {
  console.error(error.message.startsWith('Invalid configuration') ? error.message : error.stack);
  process.exit(1);
});
