// Drives Chromium through notebooks served by a running Jupyter Notebook 6.x
// (started by scripts/test-notebooks-browser.sh): opens each notebook, runs
// every cell ("Run All"), waits for the kernel, and checks the page as a
// person sees it. Exits 1 if a notebook fails a check, or if the checker
// misses the fault a negative case carries.
//
//   JUPYTER_TOKEN=TOKEN node check-notebooks.mjs --url http://127.0.0.1:PORT \
//     --server-log LOG --chromium /usr/bin/chromium --out SCREENSHOTS NB.ipynb...
//
// Notebook paths are relative to the server's root (the repository). A
// notebook whose metadata.neurotopics.browser_fault names a failure is a
// negative case: it passes only if the checker reports that failure on it.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import puppeteer from 'puppeteer-core';

const { values: opt, positionals: notebooks } = parseArgs({
  options: {
    url: { type: 'string' },
    'server-log': { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
    out: { type: 'string' },
    'timeout-s': { type: 'string', default: '900' },
  },
  allowPositionals: true,
});
const timeoutMs = Number(opt['timeout-s']) * 1000;
const token = process.env.JUPYTER_TOKEN || ''; // the server's, by the environment (not the command line)
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log(...a);

// serverOwn404 matches the one 404 of Notebook 6.4's own page, before any
// cell runs: it asks for the ipywidgets extension, which the notebooks do not
// use (GoNB's widgets are its own) and Debian's jupyter-notebook lacks.
const serverOwn404 = /^\/nbextensions\/widgets\/notebook\/js\/extension\.js$/;

// shots are the outputs a screenshot is taken at (the first of each).
const shots = [
  ['.neurotopics-report', 'report'],
  ['.neurotopics-report .cards', 'report-cards'],
  ['.neurotopics-unit-card', 'unit-card'],
  ['.neurotopics-clips', 'clips'],
  ['.neurotopics-topics', 'topics'],
  ['.neurotopics-captions', 'captions'],
  ['.neurotopics-transfer', 'transfer'],
  ['.neurotopics-explain', 'explain'],
];

// measure returns what an output must not change on the page: the size and
// fonts of the notebook's own elements (runs in the page).
function measure() {
  const style = (sel) => {
    const e = document.querySelector(sel);
    if (!e) return null;
    const s = getComputedStyle(e);
    return `${s.fontFamily} ${s.fontSize} ${s.lineHeight} ${s.color} ${s.backgroundColor}`;
  };
  const box = (sel) => {
    const e = document.querySelector(sel);
    if (!e) return null;
    const r = e.getBoundingClientRect();
    return `${Math.round(r.width)}`;
  };
  const body = getComputedStyle(document.body);
  return {
    'body font': `${body.fontFamily} ${body.fontSize}`,
    'body margin / max-width': `${body.margin} ${body.maxWidth} ${body.paddingLeft}`,
    '#notebook-container width': box('#notebook-container'),
    '#header width': box('#header'),
    'first code cell width': box('.code_cell'),
    'code editor font': style('.CodeMirror'),
    'input prompt font': style('.input_prompt'),
    'markdown text font': style('.text_cell_render'),
    'markdown heading font': style('.text_cell_render h1, .text_cell_render h2'),
    'markdown paragraph font': style('.text_cell_render p'),
    'menu bar font': style('#menubar .navbar'),
  };
}

// state reports the run's progress (runs in the page).
function state() {
  const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
  const running = cells.filter((c) => c.input_prompt_number === '*').length;
  const notRun = cells.filter((c) => c.input_prompt_number === null || c.input_prompt_number === undefined).length;
  const errors = cells.filter((c) => c.output_area.outputs.some((o) => o.output_type === 'error')).length;
  const idle = !!document.querySelector('#kernel_indicator_icon.kernel_idle_icon');
  const widgets = !!document.querySelector('.neurotopics-revise-widgets input[type=range]');
  return { running, notRun, errors, idle, widgets, cells: cells.length };
}

// outputsOf lists the outputs of every code cell with the cell's number on
// the page (runs in the page).
function outputsOf() {
  return Jupyter.notebook.get_cells().map((c, i) => ({
    index: i + 1,
    type: c.cell_type,
    outputs: c.cell_type === 'code' ? c.output_area.outputs : [],
  }));
}

// images lists the page's images that failed to load or have not loaded
// (runs in the page).
function images() {
  const cellOf = (e) => {
    const cell = e.closest('.cell');
    return cell ? [...document.querySelectorAll('#notebook-container > .cell')].indexOf(cell) + 1 : 0;
  };
  const all = [...document.querySelectorAll('#notebook img')];
  return {
    total: all.length,
    broken: all.filter((i) => i.complete && i.naturalWidth === 0).map((i) => ({ cell: cellOf(i), src: i.getAttribute('src').slice(0, 120) })),
    loading: all.filter((i) => !i.complete).length,
  };
}

async function checkNotebook(browser, nb, screenshots) {
  const name = path.basename(nb, '.ipynb');
  const problems = [];
  const notes = [];
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const notFound = [];
  page.on('response', (r) => {
    if (r.status() === 404 && !serverOwn404.test(new URL(r.url()).pathname)) notFound.push(r.url().replace(/token=[0-9a-f]+/, 'token=…'));
  });
  page.on('dialog', (d) => d.accept().catch(() => {}));
  const serverLog = opt['server-log'];
  const logStart = fs.statSync(serverLog).size;
  const start = Date.now();
  await page.goto(`${opt.url}/notebooks/${nb}?token=${token}`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(
    () => window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded && Jupyter.notebook.kernel &&
      Jupyter.notebook.kernel.is_connected() && document.querySelector('#kernel_indicator_icon.kernel_idle_icon'),
    { timeout: 120000, polling: 250 });
  // Nothing the run does may reach the notebook's file.
  await page.evaluate(() => Jupyter.notebook.set_autosave_interval(0));
  await sleep(500);
  const before = await page.evaluate(measure);
  const expect = await page.evaluate(() => (Jupyter.notebook.metadata.neurotopics || {}).expect || []);
  const fault = await page.evaluate(() => (Jupyter.notebook.metadata.neurotopics || {}).browser_fault || '');

  await page.evaluate(() => Jupyter.notebook.execute_all_cells());
  let widgetsTested = false;
  let idleAfterError = 0;
  for (;;) {
    if (Date.now() - start > timeoutMs) {
      problems.push(`did not finish within ${timeoutMs / 1000} s`);
      break;
    }
    await sleep(1000);
    const s = await page.evaluate(state);
    if (s.widgets && !widgetsTested) {
      widgetsTested = true;
      await checkWidgets(page, name, screenshots, problems, notes);
      continue;
    }
    if (s.running === 0 && s.notRun === 0 && s.idle) break;
    if (s.errors > 0 && s.running === 0 && s.idle && ++idleAfterError >= 3) break; // later cells aborted
  }
  const seconds = Math.round((Date.now() - start) / 1000);
  // Images: wait until every one has loaded or failed.
  for (let k = 0; k < 40 && (await page.evaluate(images)).loading > 0; k++) await sleep(250);
  const img = await page.evaluate(images);

  // Outputs.
  const cells = await page.evaluate(outputsOf);
  const texts = {};
  for (const c of cells) {
    for (const o of c.outputs) {
      if (o.output_type === 'error') {
        problems.push(`cell ${c.index}: error output: ${o.ename}: ${String(o.evalue).slice(0, 300)}`);
      } else if (o.output_type === 'stream') {
        const t = Array.isArray(o.text) ? o.text.join('') : String(o.text);
        (texts.stream ||= []).push(t);
        if (o.name === 'stderr') problems.push(`cell ${c.index}: stderr output (a pink block on the page): ${t.trim().slice(0, 300)}`);
      } else if (o.data) {
        for (const [mime, d] of Object.entries(o.data)) (texts[mime] ||= []).push(Array.isArray(d) ? d.join('') : String(d));
      }
    }
  }
  if (!fault) {
    if (expect.length === 0) problems.push('metadata.neurotopics.expect lists no key outputs to check');
    for (const e of expect) {
      if ((e.when || 'browser') !== 'browser') continue; // "headless": checked by check_outputs.py only
      if (!(texts[e.mime] || []).some((t) => t.includes(e.contains))) problems.push(`no ${e.mime} output contains ${JSON.stringify(e.contains)}`);
    }
  }
  for (const b of img.broken) problems.push(`cell ${b.cell}: broken image (naturalWidth 0): ${b.src}`);
  if (img.loading > 0) problems.push(`${img.loading} images still loading after 10 s`);

  // 404s: the page's own requests and the server's log.
  for (const u of notFound) problems.push(`404 (page request): ${u}`);
  // The access-log line of each 404 ("404 GET /path (ip) 1.2ms").
  for (const l of fs.readFileSync(serverLog, 'utf8').slice(logStart).split('\n')) {
    const m = /\b404 ([A-Z]+) (\S+) \([^)]*\) [0-9.]+ms/.exec(l);
    if (m && !serverOwn404.test(m[2].split('?')[0])) problems.push(`404 in the server log: ${m[1]} ${m[2].replace(/token=[0-9a-f]+/, 'token=…')}`);
  }

  // Page-level CSS leaking from an output.
  const after = await page.evaluate(measure);
  for (const [k, v] of Object.entries(before)) {
    if (after[k] !== v) problems.push(`an output restyles the page: ${k} was ${JSON.stringify(v)}, now ${JSON.stringify(after[k])}`);
  }

  // Screenshots: the first screen, and a screen at the first of each kind
  // of output worth a look (the report, a unit card, tables of clips…).
  await page.evaluate(() => { document.querySelector('#site').scrollTop = 0; });
  await sleep(300);
  const first = path.join(screenshots, `${name}-first-screen.png`);
  await page.screenshot({ path: first });
  notes.push(`screenshot ${first}`);
  for (const [sel, label] of shots) {
    const e = await page.$(sel);
    if (!e) continue;
    await e.evaluate((el) => {
      const site = document.querySelector('#site');
      site.scrollTop += el.getBoundingClientRect().top - 130;
    });
    await sleep(300);
    const shot = path.join(screenshots, `${name}-${label}.png`);
    await page.screenshot({ path: shot });
    notes.push(`screenshot ${shot}`);
  }

  notes.unshift(`${seconds} s, ${cells.filter((c) => c.type === 'code').length} code cells, ${expect.length} key outputs, ${img.total} images`);
  // Stop the kernel; leave without saving.
  await page.evaluate(() => new Promise((resolve) => {
    try { Jupyter.notebook.session.delete(resolve, resolve); } catch (e) { resolve(); }
    setTimeout(resolve, 5000);
  }));
  await page.close({ runBeforeUnload: false });
  return { name, problems, notes, fault };
}

// checkWidgets checks the revision widgets of a notebook while their cell
// runs: before any interaction the caption "after" equals "before"; every
// unit asked for has a slider; moving a slider moves its value label and,
// within a few moves, changes the caption. Then it presses "done".
async function checkWidgets(page, name, screenshots, problems, notes) {
  const read = () => page.evaluate(() => {
    const table = document.querySelector('.neurotopics-revise-widgets');
    const out = table.closest('.output');
    const revs = out ? out.querySelectorAll('.neurotopics-revision') : [];
    const rev = revs.length ? revs[revs.length - 1] : null;
    // A caption: the element's data-caption (the text without the words
    // struck out), or its text.
    const text = (sel) => {
      const e = rev && rev.querySelector(sel);
      return e ? (e.dataset.caption !== undefined ? e.dataset.caption : e.textContent).trim() : null;
    };
    return {
      asked: table.dataset.units ? Number(table.dataset.units) : null,
      sliders: [...table.querySelectorAll('input[type=range]')].map((s) => ({ value: s.value, min: s.min, max: s.max })),
      labels: [...table.querySelectorAll('.neurotopics-unit-now')].map((e) => e.textContent.trim()),
      revision: rev ? rev.textContent.trim() : null,
      before: text('.neurotopics-before'),
      after: text('.neurotopics-after'),
    };
  });
  // Wait for the sliders and the first revision.
  let w;
  for (let k = 0; k < 120; k++) {
    w = await read();
    if (w.revision !== null && w.sliders.length > 0 && (w.asked === null || w.sliders.length >= w.asked)) break;
    await sleep(500);
  }
  await sleep(1000);
  w = await read();
  const cell = await page.$('.neurotopics-revise-widgets');
  const shoot = async (label) => {
    const area = await cell.evaluateHandle((e) => e.closest('.output_wrapper') || e.closest('.cell'));
    await area.evaluate((e) => e.scrollIntoView());
    await sleep(300);
    const file = path.join(screenshots, `${name}-widgets-${label}.png`);
    await area.screenshot({ path: file });
    notes.push(`screenshot ${file}`);
  };
  await shoot('before');
  if (w.revision === null) {
    problems.push('widgets: no revision is shown under the widgets');
  } else if (w.before === null || w.after === null) {
    problems.push('widgets: the revision has no before/after caption (.neurotopics-before / .neurotopics-after)');
  } else if (w.before !== w.after) {
    problems.push(`widgets: an edit is applied before any widget moved: before "${w.before}", after "${w.after}"`);
  }
  if (w.asked !== null && w.sliders.length !== w.asked) problems.push(`widgets: ${w.sliders.length} sliders for ${w.asked} units asked for`);
  notes.push(`widgets: ${w.sliders.length} sliders; before any move: before "${w.before}", after "${w.after}"`);

  // Move sliders one by one to 0 (Home), then to their maximum (End),
  // until the caption changes.
  const handles = await page.$$('.neurotopics-revise-widgets input[type=range]');
  const initial = w;
  let changed = null;
  let answered = false;
  let labelsFollow = true;
  const moves = [...handles.map((h, k) => [k, 'Home']), ...handles.map((h, k) => [k, 'End'])];
  for (const [k, key] of moves) {
    const prev = await read();
    await handles[k].focus();
    await page.keyboard.press(key);
    let now = prev;
    for (let t = 0; t < 40; t++) {
      await sleep(250);
      now = await read();
      if (now.revision !== prev.revision) break;
    }
    await sleep(300);
    now = await read();
    if (now.revision !== prev.revision) answered = true;
    if (now.labels.length > k && now.sliders[k].value !== prev.sliders[k].value && now.labels[k] === prev.labels[k]) labelsFollow = false;
    if (now.after !== null && now.after !== initial.after) {
      changed = `${key === 'Home' ? 'slider ' + (k + 1) + ' to 0' : 'slider ' + (k + 1) + ' to its maximum'}: after "${now.after}"`;
      break;
    }
  }
  if (!answered) problems.push('widgets: dead widget: moving the sliders does not redraw the revision');
  else if (!changed) problems.push('widgets: dead widget: moving every slider to 0 and to its maximum never changed the caption');
  if (!labelsFollow) problems.push('widgets: a slider\'s value label does not follow the slider');
  if (changed) notes.push(`widgets: the caption changed after moving ${changed}`);
  await shoot('after');
  // Done: stop listening, so that the cell ends.
  const done = await page.$('.neurotopics-revise-widgets button');
  if (done) await done.click();
}

async function main() {
  fs.mkdirSync(opt.out, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: opt.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  let failed = 0;
  try {
    for (const nb of notebooks) {
      log(`== ${nb}`);
      let r;
      try {
        r = await checkNotebook(browser, nb, opt.out);
      } catch (e) {
        r = { name: nb, problems: [`the browser run failed: ${e.stack || e}`], notes: [], fault: '' };
      }
      for (const n of r.notes) log(`   ${n}`);
      // Each kind of problem (the text before its first ":") at most 5 times.
      const kinds = {};
      for (const p of r.problems) {
        const kind = p.replace(/^cell \d+: /, '').split(':')[0];
        kinds[kind] = (kinds[kind] || 0) + 1;
        if (kinds[kind] <= 5) log(`   - ${p}`);
      }
      for (const [kind, n] of Object.entries(kinds)) if (n > 5) log(`   - … and ${n - 5} more: ${kind}`);
      if (r.fault) { // a negative case: the checker must find its fault
        if (r.problems.some((p) => p.includes(r.fault))) {
          log(`ok (negative): the checker fails ${nb} on "${r.fault}", as it must`);
        } else {
          log(`FAILED (negative): the checker did not report "${r.fault}" on ${nb}`); failed++;
        }
      } else if (r.problems.length > 0) {
        log(`FAILED: ${nb}: ${r.problems.length} problems`); failed++;
      } else {
        log(`ok: ${nb}`);
      }
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(2); });
