import { createProduct, expectProblem } from './support/factories';
import { startApp, TestApp } from './support/app';

describe('Products (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => (t = await startApp()));
  afterAll(() => t.close());

  it('creates a product with exact price and stock settings', async () => {
    const res = await t.http
      .post('/products')
      .send({ name: 'Espresso beans', price: 19.99, description: 'Dark', stock_quantity: 12, reorder_threshold: 3, reorder_quantity: 20 })
      .expect(201);
    expect(res.body).toEqual({
      message: expect.any(String),
      product: {
        id: expect.any(Number),
        name: 'Espresso beans',
        price: 19.99,
        description: 'Dark',
        stock_quantity: 12,
        reorder_threshold: 3,
        reorder_quantity: 20,
        lead_time_days: 0,
        reorder_policy: 'fixed',
        service_level: 0.95,
        cover_days: 14,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    });
  });

  it('defaults stock and reorder settings to 0 and keeps prices like 0.10 exact', async () => {
    const res = await t.http.post('/products').send({ name: 'Sticker', price: 0.1 }).expect(201);
    expect(res.body.product).toMatchObject({ price: 0.1, stock_quantity: 0, reorder_threshold: 0, reorder_quantity: 0, description: null });
  });

  it('takes and changes the replenishment settings', async () => {
    const settings = { lead_time_days: 3, reorder_policy: 'demand', service_level: 0.975, cover_days: 21 };
    const created = await t.http
      .post('/products')
      .send({ name: 'Grinder', price: 80, ...settings })
      .expect(201);
    expect(created.body.product).toMatchObject(settings);
    const updated = await t.http
      .put(`/products/${created.body.product.id}`)
      .send({ reorder_policy: 'fixed', service_level: 0.9999 })
      .expect(200);
    expect(updated.body.product).toMatchObject({ ...settings, reorder_policy: 'fixed', service_level: 0.9999 });
  });

  it.each([
    [{ lead_time_days: -1 }, 'lead_time_days'],
    [{ lead_time_days: 366 }, 'lead_time_days'],
    [{ lead_time_days: 1.5 }, 'lead_time_days'],
    [{ reorder_policy: 'magic' }, 'reorder_policy'],
    [{ service_level: 1 }, 'service_level'],
    [{ service_level: 0.4 }, 'service_level'],
    [{ service_level: 0.12345 }, 'service_level'],
    [{ service_level: '0.95' }, 'service_level'],
    [{ cover_days: 0 }, 'cover_days'],
  ])('refuses the replenishment setting %p with 400, changing nothing', async (body, field) => {
    const product = await createProduct(t.http);
    expect(expectProblem(await t.http.put(`/products/${product.id}`).send(body), 400, 'VALIDATION_FAILED').errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field })]),
    );
    expect((await t.http.get(`/products/${product.id}`)).body).toMatchObject({
      lead_time_days: 0,
      reorder_policy: 'fixed',
      service_level: 0.95,
      cover_days: 14,
    });
    expectProblem(await t.http.post('/products').send({ name: 'P', price: 5, ...body }), 400, 'VALIDATION_FAILED');
  });

  it.each(['lead_time_days', 'reorder_policy', 'service_level', 'cover_days'])('refuses %s: null on create with 400', async (field) => {
    const problem = expectProblem(await t.http.post('/products').send({ name: 'P', price: 5, [field]: null }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it.each([
    ['a zero price', { price: 0 }, 'price'],
    ['a negative price', { price: -1 }, 'price'],
    ['three decimals', { price: 1.999 }, 'price'],
    ['a string price', { price: '19.99' }, 'price'],
    ['a price above the cap', { price: 1_000_000 }, 'price'],
    ['negative stock', { stock_quantity: -1 }, 'stock_quantity'],
    ['fractional stock', { stock_quantity: 1.5 }, 'stock_quantity'],
    ['an unknown field', { colour: 'red' }, 'colour'],
    ['no name', { name: undefined }, 'name'],
  ])('refuses %s with 400', async (_case, override, field) => {
    const problem = expectProblem(await t.http.post('/products').send({ name: 'P', price: 5, ...override }), 400, 'VALIDATION_FAILED');
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it('lists with search and in_stock filters', async () => {
    const full = await createProduct(t.http, { name: 'Filter Kettle', stock_quantity: 5 });
    const empty = await createProduct(t.http, { name: 'Filter Teapot', stock_quantity: 0 });
    const inStock = await t.http.get('/products').query({ search: 'filter', in_stock: 'true' }).expect(200);
    expect(inStock.body.items.map((p: { id: number }) => p.id)).toEqual([full.id]);
    const outOfStock = await t.http.get('/products').query({ search: 'filter', in_stock: 'false' }).expect(200);
    expect(outOfStock.body.items.map((p: { id: number }) => p.id)).toEqual([empty.id]);
    expect((await t.http.get('/products').query({ search: 'FILTER' })).body.total).toBe(2);
    expectProblem(await t.http.get('/products').query({ in_stock: 'yes' }), 400, 'VALIDATION_FAILED');
    expect((await t.http.get('/products').query({ search: "x' OR '1'='1" })).body.total).toBe(0);
  });

  it('reads a product; 400 for bad ids and 404 for unknown ones', async () => {
    const product = await createProduct(t.http);
    expect((await t.http.get(`/products/${product.id}`).expect(200)).body).toMatchObject({ id: product.id, name: product.name });
    expectProblem(await t.http.get('/products/-1'), 400, 'INVALID_ID');
    expectProblem(await t.http.get('/products/555555'), 404, 'PRODUCT_NOT_FOUND');
  });

  it('updates partially and refuses stock_quantity in the body (400, nothing changed)', async () => {
    const product = await createProduct(t.http, { price: 5, stock_quantity: 7 });
    const res = await t.http.put(`/products/${product.id}`).send({ price: 6.5, reorder_threshold: 2 }).expect(200);
    expect(res.body.product).toMatchObject({ price: 6.5, reorder_threshold: 2, stock_quantity: 7, name: product.name });
    const problem = expectProblem(
      await t.http.put(`/products/${product.id}`).send({ name: 'Changed', stock_quantity: 1000 }),
      400,
      'VALIDATION_FAILED',
    );
    expect(problem.errors).toEqual([expect.objectContaining({ field: 'stock_quantity' })]);
    expect((await t.http.get(`/products/${product.id}`)).body).toMatchObject({ name: product.name, stock_quantity: 7 });
    expectProblem(await t.http.put(`/products/${product.id}`).send({}), 400, 'EMPTY_UPDATE');
  });

  it('deletes softly: 404 afterwards and out of lists', async () => {
    const product = await createProduct(t.http, { name: 'Doomed product' });
    await t.http.delete(`/products/${product.id}`).expect(200);
    expectProblem(await t.http.get(`/products/${product.id}`), 404, 'PRODUCT_NOT_FOUND');
    expectProblem(await t.http.delete(`/products/${product.id}`), 404, 'PRODUCT_NOT_FOUND');
    expect((await t.http.get('/products').query({ search: 'Doomed' })).body.total).toBe(0);
  });

  it('answers GET /products/:id/stock in the contract shape', async () => {
    const product = await createProduct(t.http, { stock_quantity: 4, reorder_threshold: 5, reorder_quantity: 10 });
    const res = await t.http.get(`/products/${product.id}/stock`).expect(200);
    expect(res.body).toEqual({
      product_id: product.id,
      quantity: 4,
      reorder_threshold: 5,
      reorder_quantity: 10,
      low_stock: true,
      incoming: 0,
      projected: 4,
      lead_time_days: 0,
      reorder_policy: 'fixed',
      last_restocked_at: null,
      updated_at: expect.any(String),
    });
    expectProblem(await t.http.get('/products/777777/stock'), 404, 'PRODUCT_NOT_FOUND');
  });
});
