// Spool's monitoring page: the job list with live updates, retry and cancel, and a job's log.
// Plain script, no build step. The token is asked once and kept in this tab's sessionStorage; API
// calls send it as a bearer header, and the event stream (EventSource cannot send headers) as ?token=.
'use strict';

const PAGE_SIZE = 25;
const TOKEN_KEY = 'spool.token';
const MAX_LOG_CHARS = 200000;
const FINAL = new Set(['completed', 'dead', 'cancelled']);

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  status: '',
  offset: 0,
  total: 0,
  selected: null,
  logOffset: 0,
  logTimer: null,
  reloadTimer: null,
  source: null,
};

const $ = (id) => document.getElementById(id);

function showMessage(text) {
  $('message').textContent = text;
  $('message').hidden = !text;
}

async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: 'Bearer ' + state.token }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401) {
    forgetToken();
    throw new Error('The API refused the token. Enter it again.');
  }
  return response;
}

async function apiJson(path, options) {
  const response = await api(path, options);
  const body = await response.json();
  if (!response.ok)
    throw new Error(body.error ? body.error.message : response.statusText);
  return body;
}

function progressText(job) {
  const p = job.progress || {};
  if (p.items_total > 0)
    return p.items_done + ' / ' + p.items_total;
  if (p.percent !== null && p.percent !== undefined)
    return p.percent.toFixed(1) + ' %';
  return '';
}

function cell(row, className, text) {
  const td = document.createElement('td');
  td.className = className;
  td.textContent = text;
  row.appendChild(td);
  return td;
}

function actionButton(className, label, job, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.textContent = label;
  button.dataset.id = job.id;
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    onClick(job.id);
  });
  return button;
}

function fillRow(row, job) {
  row.replaceChildren();
  row.dataset.status = job.status;
  cell(row, 'id', String(job.id));
  cell(row, 'status status-' + job.status, job.status);
  cell(row, 'type', job.type);
  const name = cell(row, 'name', job.title || job.url || job.type);
  name.title = job.url || '';
  const progress = cell(row, 'progress', progressText(job));
  progress.title = job.error ? job.error.class + ': ' + job.error.message : '';
  cell(row, 'attempts', job.attempts + ' / ' + job.max_attempts);
  const actions = cell(row, 'actions', '');
  if (job.status === 'dead' || job.status === 'cancelled')
    actions.appendChild(actionButton('retry', 'Retry', job, retryJob));
  if (!FINAL.has(job.status))
    actions.appendChild(actionButton('cancel', 'Cancel', job, cancelJob));
}

function renderJobs(page) {
  const body = $('job-rows');
  body.replaceChildren();
  for (const job of page.jobs) {
    const row = document.createElement('tr');
    row.className = 'job' + (job.id === state.selected ? ' selected' : '');
    row.dataset.id = job.id;
    fillRow(row, job);
    row.addEventListener('click', () => selectJob(job.id));
    body.appendChild(row);
  }
  state.total = page.total;
  $('empty').hidden = page.jobs.length > 0;
  const last = Math.min(state.offset + page.jobs.length, page.total);
  $('page-info').textContent = page.total ? (state.offset + 1) + '–' + last + ' of ' + page.total : '';
  $('prev').disabled = state.offset === 0;
  $('next').disabled = state.offset + PAGE_SIZE >= page.total;
}

async function loadJobs() {
  const query = new URLSearchParams({ limit: PAGE_SIZE, offset: state.offset, sort: '-id' });
  if (state.status)
    query.set('status', state.status);
  try {
    renderJobs(await apiJson('/api/jobs?' + query.toString()));
    loadStats();
  } catch (error) {
    showMessage(error.message);
  }
}

async function loadStats() {
  const stats = await apiJson('/api/stats');
  const parts = ['running', 'pending', 'retrying', 'dead']
    .filter((s) => stats.by_status[s] > 0)
    .map((s) => stats.by_status[s] + ' ' + s);
  $('stats').textContent = stats.total + ' jobs' + (parts.length ? ': ' + parts.join(', ') : '');
}

// The whole queue: paused (nothing new starts) or running. Hidden when the server does not run it.
function showQueue(held) {
  const button = $('queue-toggle');
  button.hidden = false;
  button.dataset.held = held ? '1' : '0';
  button.textContent = held ? 'Resume queue' : 'Pause queue';
  $('stats').classList.toggle('held', held);
}

async function loadQueue() {
  try {
    showQueue((await apiJson('/api/queue')).held);
  } catch (error) {
    $('queue-toggle').hidden = true;
  }
}

async function toggleQueue() {
  const held = $('queue-toggle').dataset.held === '1';
  try {
    showQueue((await apiJson('/api/queue/' + (held ? 'resume' : 'pause'), { method: 'POST' })).held);
    showMessage('');
  } catch (error) {
    showMessage(error.message);
  }
}

// Changes arrive in bursts (a channel adds hundreds of jobs) or without pause on a busy queue: reload
// at most four times a second, never once per event.
function scheduleReload() {
  if (state.reloadTimer)
    return;
  state.reloadTimer = setTimeout(() => {
    state.reloadTimer = null;
    loadJobs();
  }, 250);
}

function rowOf(id) {
  return document.querySelector('tr.job[data-id="' + Number(id) + '"]');
}

function handleJobEvent(event) {
  const job = JSON.parse(event.data);
  const row = rowOf(job.id);
  if (row)
    fillRow(row, job);
  scheduleReload();
}

function handleProgressEvent(event) {
  const data = JSON.parse(event.data);
  const row = rowOf(data.id);
  if (row)
    row.querySelector('td.progress').textContent = progressText({ progress: data.progress });
}

function setLive(online) {
  $('live').textContent = online ? 'live' : 'offline';
  $('live').className = online ? 'online' : 'offline';
}

function connectEvents() {
  if (state.source)
    state.source.close();
  const source = new EventSource('/api/events?token=' + encodeURIComponent(state.token));
  source.addEventListener('open', () => {
    setLive(true);
    loadJobs();
    loadQueue();
  });
  source.addEventListener('error', () => setLive(false));
  source.addEventListener('job.added', scheduleReload);
  source.addEventListener('job.removed', scheduleReload);
  source.addEventListener('job.changed', handleJobEvent);
  source.addEventListener('job.progress', handleProgressEvent);
  source.addEventListener('queue.changed', (event) => showQueue(JSON.parse(event.data).held));
  source.addEventListener('reset', loadJobs);
  state.source = source;
}

async function retryJob(id) {
  try {
    await apiJson('/api/jobs/' + id + '/retry', { method: 'POST' });
    showMessage('');
  } catch (error) {
    showMessage(error.message);
  }
  scheduleReload();
}

async function cancelJob(id) {
  try {
    await apiJson('/api/jobs/' + id, { method: 'DELETE' });
    showMessage('');
  } catch (error) {
    showMessage(error.message);
  }
  scheduleReload();
}

function selectJob(id) {
  state.selected = id;
  state.logOffset = 0;
  for (const row of document.querySelectorAll('tr.job'))
    row.classList.toggle('selected', Number(row.dataset.id) === id);
  $('log-title').textContent = 'Log of job ' + id;
  $('log').textContent = '';
  $('log-pane').hidden = false;
  clearInterval(state.logTimer);
  state.logTimer = setInterval(loadLog, 1000);
  loadLog();
}

async function loadLog() {
  const id = state.selected;
  try {
    const response = await api('/api/jobs/' + id + '/log?offset=' + state.logOffset);
    if (!response.ok || id !== state.selected)
      return;
    const text = await response.text();
    const pre = $('log');
    if (response.headers.get('X-Log-Restarted'))
      pre.textContent = '';
    if (text) {
      pre.textContent = (pre.textContent + text).slice(-MAX_LOG_CHARS);
      pre.scrollTop = pre.scrollHeight;
    }
    state.logOffset = Number(response.headers.get('X-Next-Offset') || state.logOffset);
  } catch (error) {
    showMessage(error.message);
  }
}

function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
  state.token = null;
  if (state.source)
    state.source.close();
  clearInterval(state.logTimer);
  setLive(false);
  $('main').hidden = true;
  $('forget-token').hidden = true;
  $('queue-toggle').hidden = true;
  $('token-form').hidden = false;
}

function start() {
  $('token-form').hidden = true;
  $('main').hidden = false;
  $('forget-token').hidden = false;
  showMessage('');
  connectEvents();
  loadJobs();
  loadQueue();
}

function init() {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    state.token = $('token-input').value.trim();
    $('token-input').value = '';
    sessionStorage.setItem(TOKEN_KEY, state.token);
    start();
  });
  $('forget-token').addEventListener('click', forgetToken);
  $('queue-toggle').addEventListener('click', toggleQueue);
  $('status-filter').addEventListener('change', () => {
    state.status = $('status-filter').value;
    state.offset = 0;
    loadJobs();
  });
  $('prev').addEventListener('click', () => {
    state.offset = Math.max(0, state.offset - PAGE_SIZE);
    loadJobs();
  });
  $('next').addEventListener('click', () => {
    state.offset += PAGE_SIZE;
    loadJobs();
  });
  if (state.token)
    start();
  else
    forgetToken();
}

init();
