import { DataSource } from 'typeorm';
import { Customer } from '../customers/entities/customer.entity';
import { OrderItem } from '../orders/entities/order-item.entity';
import { Order } from '../orders/entities/order.entity';
import { Product } from '../products/entities/product.entity';
import { Webhook } from '../webhooks/entities/webhook.entity';
import { inMemoryDataSource } from './in-memory-data-source';
import { RowReader } from './row-reader';

describe('RowReader', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await inMemoryDataSource();
  });

  afterAll(() => dataSource.destroy());

  it('reads a row as TypeORM hydrates the entity: dates, nulls, integers', async () => {
    const { id } = await dataSource.manager.save(
      dataSource.manager.create(Product, {
        name: 'Beans',
        description: null,
        priceCents: 1999,
        stockQuantity: 7,
        lastRestockedAt: new Date('2026-11-25T10:00:00.123Z'),
      }),
    );
    const sut = new RowReader(dataSource, Product);
    const [row] = (await dataSource.query(`SELECT ${sut.selectList()} FROM products WHERE id = ?`, [id])) as Record<string, unknown>[];
    const expected = await dataSource.manager.findOneByOrFail(Product, { id });

    const product = sut.read(row);

    expect(product).toBeInstanceOf(Product);
    expect(product).toEqual(expected);
    expect(product.lastRestockedAt).toEqual(new Date('2026-11-25T10:00:00.123Z'));
  });

  it('reads the tables of a join apart by their prefixes, through the columns’ transformers', async () => {
    const { manager } = dataSource;
    const customer = await manager.save(manager.create(Customer, { name: 'Ada', email: 'ada@example.com', emailKey: 'ada@example.com' }));
    const product = await manager.save(manager.create(Product, { name: 'Beans', priceCents: 1999 }));
    const order = await manager.save(manager.create(Order, { customerId: customer.id, status: 'pending', totalCents: 3998 }));
    await manager.insert(OrderItem, {
      orderId: order.id,
      productId: product.id,
      productName: 'Beans',
      unitPriceCents: 1999,
      quantity: 2,
      lineTotalCents: 3998,
    });
    const orders = new RowReader(dataSource, Order);
    const items = new RowReader(dataSource, OrderItem);
    const [row] = (await dataSource.query(
      `SELECT ${orders.selectList('o', 'o_')}, ${items.selectList('i', 'i_')} FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = ?`,
      [order.id],
    )) as Record<string, unknown>[];

    expect(orders.read(row, 'o_')).toEqual(await dataSource.manager.findOneByOrFail(Order, { id: order.id }));
    expect(items.read(row, 'i_')).toMatchObject({ orderId: order.id, productName: 'Beans', quantity: 2, lineTotalCents: 3998 });
    expect(typeof items.read(row, 'i_').lineTotalCents).toBe('number');
  });

  it('leaves out the select: false columns, as TypeORM reads an entity unless asked for them', async () => {
    const { manager } = dataSource;
    const { id } = await manager.save(
      manager.create(Webhook, { url: 'https://example.com/hook', eventTypes: ['*'], secret: 'whsec_x', enabled: true }),
    );
    const sut = new RowReader(dataSource, Webhook);
    const [row] = (await dataSource.query(`SELECT ${sut.selectList()} FROM webhooks WHERE id = ?`, [id])) as Record<string, unknown>[];

    expect(sut.selectList()).not.toContain('secret');
    expect(sut.read(row)).toEqual(await manager.findOneByOrFail(Webhook, { id }));
    expect(sut.read(row).eventTypes).toEqual(['*']);
  });
});
