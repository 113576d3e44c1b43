/* global document, window, navigator, URLSearchParams, Blob */
// The findings explorer of report.html. Data comes from the JSON block the reporter embedded;
// every string from it reaches the page through textContent or an attribute value, never as
// markup, so a hostile trail name stays text. Rows are rendered one page at a time, which keeps
// opening a report with tens of thousands of findings as fast as opening one with ten.
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('trailwarden-data').textContent);
  var F = {};
  data.fields.forEach(function (field, index) { F[field] = index; });
  var rows = data.findings;
  var rules = data.rules;
  var accounts = data.accounts;

  var state = { query: '', account: '', region: '', severity: '', status: '', framework: '', rule: '', hideSuppressed: false, page: 0, pageSize: 50 };
  var matches = [];
  var haystacks = null;
  var expanded = new Set();

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function formatCount(n) { return n.toLocaleString('en-US'); }

  function accountLabel(index) {
    var account = accounts[index];
    if (!account) return '';
    return account.name ? account.name + ' (' + account.id + ')' : account.id;
  }

  // An account's ARN ends in ":root", which reads as the root user: an account is shown as itself.
  function resourceLabel(row) {
    if (row[F.type] !== 'account') return row[F.arn];
    var account = accounts[row[F.account]] || { id: '' };
    return 'account ' + account.id + (account.name ? ' (' + account.name + ')' : '');
  }

  function option(select, value, label) {
    var node = el('option', null, label);
    node.value = String(value);
    select.appendChild(node);
  }

  function fillFilters() {
    accounts.forEach(function (account, index) { option($('filter-account'), index, accountLabel(index)); });
    data.regions.forEach(function (region, index) { option($('filter-region'), index, region); });
    data.severities.forEach(function (severity) { option($('filter-severity'), severity, data.severityLabels[severity]); });
    data.statuses.forEach(function (status) { option($('filter-status'), status, data.statusLabels[status]); });
    data.frameworks.forEach(function (framework) { option($('filter-framework'), framework, framework); });
    // Rules most severe first, as everywhere in the report.
    rules.map(function (rule, index) { return index; })
      .sort(function (a, b) { return data.severities.indexOf(rules[a].severity) - data.severities.indexOf(rules[b].severity) || a - b; })
      .forEach(function (index) { option($('filter-rule'), index, rules[index].id); });
  }

  // ------------------------------------------------------------------------------------------
  // Filter state in the URL: "#findings?status=fail&rule=bucket%2Fnot-public", restored on load.
  // Values name things (rule id, account id, region), not positions, so a link survives another
  // run's report. The fragment is hostile input: each value must match an option or is dropped,
  // the search text is bounded and only ever set as an input's value.
  // ------------------------------------------------------------------------------------------
  var HASH_PREFIX = '#findings?';
  var MAX_QUERY = 200;

  function indexWhere(list, test) {
    for (var i = 0; i < list.length; i += 1) if (test(list[i])) return i;
    return -1;
  }

  function stateToHash() {
    var params = new URLSearchParams();
    if (state.query) params.set('q', state.query);
    if (state.status) params.set('status', state.status);
    if (state.severity) params.set('severity', state.severity);
    if (state.rule !== '') params.set('rule', rules[Number(state.rule)].id);
    if (state.account !== '') params.set('account', accounts[Number(state.account)].id);
    if (state.region !== '') params.set('region', data.regions[Number(state.region)]);
    if (state.framework) params.set('framework', state.framework);
    if (state.hideSuppressed) params.set('suppressed', 'hide');
    var text = params.toString();
    return text ? HASH_PREFIX + text : '';
  }

  function writeHash() {
    var hash = stateToHash();
    var current = window.location.hash;
    if (hash === current || (!hash && current.indexOf(HASH_PREFIX) !== 0)) return;
    var url = window.location.href.split('#')[0] + (hash || '#findings');
    try {
      window.history.replaceState(null, '', url);
    } catch {
      window.location.replace(url);
    }
  }

  /** The filters a fragment names, or null when it is not a filter fragment (a section link). */
  function filtersFromHash(hash) {
    if (typeof hash !== 'string' || hash.indexOf(HASH_PREFIX) !== 0) return null;
    var params;
    try { params = new URLSearchParams(hash.slice(HASH_PREFIX.length, HASH_PREFIX.length + 4096)); } catch { return null; }
    var filters = {};
    var query = params.get('q');
    if (query) filters.query = query.slice(0, MAX_QUERY);
    var status = params.get('status');
    if (status && data.statuses.indexOf(status) >= 0) filters.status = status;
    var severity = params.get('severity');
    if (severity && data.severities.indexOf(severity) >= 0) filters.severity = severity;
    var rule = indexWhere(rules, function (r) { return r.id === params.get('rule'); });
    if (rule >= 0) filters.rule = String(rule);
    var account = indexWhere(accounts, function (a) { return a.id === params.get('account'); });
    if (account >= 0) filters.account = String(account);
    var region = data.regions.indexOf(params.get('region'));
    if (region >= 0) filters.region = String(region);
    var framework = params.get('framework');
    if (framework && data.frameworks.indexOf(framework) >= 0) filters.framework = framework;
    if (params.get('suppressed') === 'hide') filters.suppressed = true;
    return filters;
  }

  // ------------------------------------------------------------------------------------------
  // CSV export of the rows the filters match, built here and downloaded as a Blob: nothing is
  // fetched or sent. Cells a spreadsheet would run as a formula (= + - @, tab, CR) start with '.
  // ------------------------------------------------------------------------------------------
  // The first columns of results.csv (--format csv), under the same names and in the same order.
  var CSV_COLUMNS = ['rule_id', 'rule_title', 'status', 'severity', 'account_id', 'account_name', 'region', 'resource_type', 'resource_arn', 'resource_name', 'message', 'frameworks', 'suppressed', 'suppression_reason', 'suppression_expires'];

  function csvCell(value) {
    var text = value === null || value === undefined ? '' : String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return /[",\r\n]/.test(text) || text !== text.trim() ? '"' + text.replace(/"/g, '""') + '"' : text;
  }

  function csvText() {
    var lines = [CSV_COLUMNS.join(',')];
    for (var i = 0; i < matches.length; i += 1) {
      var row = rows[matches[i]];
      var rule = rules[row[F.rule]];
      var account = accounts[row[F.account]] || { id: '', name: null };
      var suppression = row[F.suppression];
      var region = data.regions[row[F.region]];
      lines.push([
        rule.id, rule.title, row[F.status], row[F.severity], account.id, account.name || '', region === data.globalRegion ? '' : region, row[F.type],
        row[F.arn], row[F.name] || '', row[F.message], data.controlSets[row[F.controls]].join(' '),
        suppression ? 'yes' : 'no', suppression ? suppression.reason : '', suppression && suppression.expires ? suppression.expires : '',
      ].map(csvCell).join(','));
    }
    return lines.join('\r\n') + '\r\n';
  }

  function exportCsv() {
    var blob = new Blob(['\ufeff' + csvText()], { type: 'text/csv;charset=utf-8' });
    var url = window.URL.createObjectURL(blob);
    var link = document.createElement('a');
    link.href = url;
    link.download = 'trailwarden-findings.csv';
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    window.setTimeout(function () { window.URL.revokeObjectURL(url); }, 0);
  }


  // Built on the first search only: most readers filter with the selects and never pay for it.
  function buildHaystacks() {
    haystacks = new Array(rows.length);
    for (var i = 0; i < rows.length; i += 1) {
      var row = rows[i];
      var rule = rules[row[F.rule]];
      var account = accounts[row[F.account]] || {};
      haystacks[i] = [rule.id, rule.title, row[F.arn], row[F.name] || '', row[F.message], account.id, account.name || '', data.regions[row[F.region]], row[F.type],
        data.controlSets[row[F.controls]].join(' ')].join('\n').toLowerCase();
    }
  }

  function frameworkMatches(controls, framework) {
    for (var i = 0; i < controls.length; i += 1) {
      if (controls[i] === framework || controls[i].indexOf(framework + ':') === 0) return true;
    }
    return false;
  }

  function applyFilters() {
    var terms = state.query.toLowerCase().split(/\s+/).filter(Boolean);
    if (terms.length > 0 && !haystacks) buildHaystacks();
    var account = state.account === '' ? -1 : Number(state.account);
    var region = state.region === '' ? -1 : Number(state.region);
    var rule = state.rule === '' ? -1 : Number(state.rule);
    var controlMatch = {};
    matches = [];
    for (var i = 0; i < rows.length; i += 1) {
      var row = rows[i];
      if (account >= 0 && row[F.account] !== account) continue;
      if (region >= 0 && row[F.region] !== region) continue;
      if (rule >= 0 && row[F.rule] !== rule) continue;
      if (state.severity && row[F.severity] !== state.severity) continue;
      if (state.status && row[F.status] !== state.status) continue;
      if (state.hideSuppressed && row[F.suppression]) continue;
      if (state.framework) {
        var set = row[F.controls];
        if (!(set in controlMatch)) controlMatch[set] = frameworkMatches(data.controlSets[set], state.framework);
        if (!controlMatch[set]) continue;
      }
      if (terms.length > 0) {
        var text = haystacks[i];
        var all = true;
        for (var t = 0; t < terms.length; t += 1) if (text.indexOf(terms[t]) < 0) { all = false; break; }
        if (!all) continue;
      }
      matches.push(i);
    }
  }

  function badge(className, text) { return el('span', className, text); }

  function cell(className) { return el('td', className); }

  function findingRow(index) {
    var row = rows[index];
    var rule = rules[row[F.rule]];
    var tr = el('tr', 'finding' + (row[F.suppression] ? ' is-suppressed' : ''));
    tr.dataset.index = String(index);

    var toggleCell = cell('col-toggle');
    var toggle = el('button', 'toggle', '›');
    toggle.type = 'button';
    toggle.setAttribute('aria-label', 'Show details');
    toggle.setAttribute('aria-expanded', expanded.has(index) ? 'true' : 'false');
    toggleCell.appendChild(toggle);
    tr.appendChild(toggleCell);

    var statusCell = cell();
    statusCell.appendChild(badge('status status-' + row[F.status], data.statusLabels[row[F.status]]));
    if (row[F.suppression]) statusCell.appendChild(badge('suppressed-tag', 'suppressed'));
    tr.appendChild(statusCell);

    var severityCell = cell();
    severityCell.appendChild(badge('sev sev-' + row[F.severity], data.severityLabels[row[F.severity]]));
    tr.appendChild(severityCell);

    var ruleCell = cell('cell-rule');
    ruleCell.appendChild(el('span', 'rule-id', rule.id));
    ruleCell.appendChild(el('span', 'sub', rule.title));
    tr.appendChild(ruleCell);

    var account = accounts[row[F.account]] || { id: '' };
    var accountCell = cell('cell-account');
    accountCell.appendChild(el('span', account.name ? null : 'mono', account.name || account.id));
    if (account.name) accountCell.appendChild(el('span', 'sub mono', account.id));
    tr.appendChild(accountCell);

    tr.appendChild(el('td', 'cell-region mono small', data.regions[row[F.region]]));

    var resourceCell = cell('cell-resource');
    if (row[F.name] && row[F.type] !== 'account') resourceCell.appendChild(el('span', 'res-name', row[F.name]));
    resourceCell.appendChild(el('span', 'arn', resourceLabel(row)));
    if (F.iac !== undefined && row[F.iac]) resourceCell.appendChild(el('span', 'iac mono small', row[F.iac]));
    tr.appendChild(resourceCell);

    tr.appendChild(el('td', 'cell-message', row[F.message]));
    return tr;
  }

  function block(title, content, wide) {
    var node = el('div', 'detail-block' + (wide ? ' detail-wide' : ''));
    node.appendChild(el('h4', null, title));
    if (typeof content === 'string') node.appendChild(el('p', null, content));
    else node.appendChild(content);
    return node;
  }

  function describeError(error) {
    var where = [];
    if (error.accountId) where.push('account ' + error.accountId);
    if (error.region) where.push('region ' + error.region);
    return error.action + ' failed with ' + error.code + (where.length ? ' in ' + where.join(', ') : '') + (error.message ? ': ' + error.message : '');
  }

  function evidenceText(evidence) {
    return evidence.map(function (item) { return item.path + ' = ' + JSON.stringify(item.value, null, 2); }).join('\n');
  }

  /** One code block per piece (a command, or a whole Terraform snippet), each with a copy button. Text only: nothing is parsed as markup. */
  function commandBlocks(pieces) {
    var list = el('div', 'commands');
    pieces.forEach(function (piece) {
      var item = el('div', 'command');
      var pre = el('pre', 'cli');
      pre.appendChild(el('code', null, piece));
      item.appendChild(pre);
      if (navigator.clipboard && navigator.clipboard.writeText) {
        var copy = el('button', 'copy', 'Copy');
        copy.type = 'button';
        copy.setAttribute('aria-label', 'Copy this command');
        copy.addEventListener('click', function (event) {
          event.stopPropagation();
          navigator.clipboard.writeText(piece).then(function () { copy.textContent = 'Copied'; }, function () { copy.textContent = 'Copy failed'; });
        });
        item.appendChild(copy);
      }
      list.appendChild(item);
    });
    return list;
  }

  function detailRow(index) {
    var row = rows[index];
    var rule = rules[row[F.rule]];
    var tr = el('tr', 'detail');
    var td = el('td');
    td.colSpan = 8;
    var grid = el('div', 'detail-grid');
    grid.appendChild(block('Finding', row[F.message], true));
    grid.appendChild(block('Resource', row[F.type] === 'account' ? resourceLabel(row) : row[F.type] + ' · ' + row[F.arn]));
    if (F.iac !== undefined && row[F.iac]) grid.appendChild(block('Defined in', row[F.iac]));
    grid.appendChild(block('Account and region', accountLabel(row[F.account]) + ' · ' + data.regions[row[F.region]]));
    if (row[F.errors] && row[F.errors].length) {
      var list = el('ul');
      row[F.errors].forEach(function (error) { list.appendChild(el('li', null, describeError(error))); });
      grid.appendChild(block('Could not collect', list, true));
    }
    if (row[F.suppression]) {
      var suppression = row[F.suppression];
      grid.appendChild(block('Suppressed', suppression.reason + (suppression.expires ? ' (until ' + suppression.expires + ')' : ''), true));
    }
    if (row[F.evidence] && row[F.evidence].length) grid.appendChild(block('Evidence', el('pre', 'evidence', evidenceText(row[F.evidence])), true));
    var fix = row[F.fix] || {};
    if (fix.collect && fix.collect.length) {
      var steps = el('ul');
      fix.collect.forEach(function (step) { steps.appendChild(el('li', null, step)); });
      grid.appendChild(block('How to get the missing fact', steps, true));
    }
    if (rule.console) grid.appendChild(block('Fix in the AWS console', el('p', 'prewrap', rule.console)));
    // A failure shows its own commands, filled with its values; otherwise the rule's, with placeholders.
    if (fix.commands && fix.commands.length) grid.appendChild(block('Fix with the AWS CLI', commandBlocks(fix.commands), true));
    else if (rule.cli && row[F.status] !== 'error') grid.appendChild(block('Fix with the AWS CLI', el('pre', 'cli', rule.cli)));
    if (fix.terraform) grid.appendChild(block('Terraform', commandBlocks([fix.terraform.join('\n')]), true));
    var controls = data.controlSets[row[F.controls]];
    if (controls.length) {
      var chips = el('div', 'chips');
      controls.forEach(function (control) { chips.appendChild(el('span', 'chip', control)); });
      grid.appendChild(block('Framework controls', chips, true));
    }
    td.appendChild(grid);
    tr.appendChild(td);
    return tr;
  }

  function renderPage() {
    var pages = Math.max(1, Math.ceil(matches.length / state.pageSize));
    if (state.page >= pages) state.page = pages - 1;
    var start = state.page * state.pageSize;
    var end = Math.min(matches.length, start + state.pageSize);
    var fragment = document.createDocumentFragment();
    for (var i = start; i < end; i += 1) {
      var index = matches[i];
      fragment.appendChild(findingRow(index));
      if (expanded.has(index)) fragment.appendChild(detailRow(index));
    }
    if (matches.length === 0) {
      var empty = el('tr');
      var td = el('td', 'empty', 'No findings match these filters.');
      td.colSpan = 8;
      empty.appendChild(td);
      fragment.appendChild(empty);
    }
    var body = $('findings-body');
    body.replaceChildren(fragment);
    $('result-count').textContent = matches.length === rows.length
      ? formatCount(rows.length) + ' findings'
      : formatCount(matches.length) + ' of ' + formatCount(rows.length) + ' findings match';
    $('page-label').textContent = matches.length === 0 ? 'No rows' : formatCount(start + 1) + '–' + formatCount(end) + ' of ' + formatCount(matches.length) + ' · page ' + formatCount(state.page + 1) + ' of ' + formatCount(pages);
    $('page-first').disabled = $('page-prev').disabled = state.page === 0;
    $('page-next').disabled = $('page-last').disabled = state.page >= pages - 1;
    document.body.dataset.rendered = String(end - start);
  }

  function renderAccountDetail() {
    var panel = $('account-detail');
    if (state.account === '') { panel.hidden = true; panel.replaceChildren(); return; }
    var index = Number(state.account);
    var counts = { fail: 0, error: 0, pass: 0, not_applicable: 0 };
    var failing = {};
    var suppressed = 0;
    for (var i = 0; i < rows.length; i += 1) {
      var row = rows[i];
      if (row[F.account] !== index) continue;
      if (row[F.suppression]) { suppressed += 1; continue; }
      counts[row[F.status]] += 1;
      if (row[F.status] === 'fail') failing[row[F.rule]] = (failing[row[F.rule]] || 0) + 1;
    }
    var heading = el('h3', null, 'Account ' + accountLabel(index));
    var facts = el('div', 'facts');
    data.statuses.forEach(function (status) { facts.appendChild(el('span', 'tone-text-' + status, formatCount(counts[status]) + ' ' + data.statusLabels[status].toLowerCase())); });
    if (suppressed) facts.appendChild(el('span', 'tone-text-suppressed', formatCount(suppressed) + ' suppressed'));
    var list = el('ul', 'rule-list');
    Object.keys(failing)
      .map(Number)
      .sort(function (a, b) { return failing[b] - failing[a] || (rules[a].id < rules[b].id ? -1 : 1); })
      .slice(0, 12)
      .forEach(function (ruleIndex) { list.appendChild(el('li', null, rules[ruleIndex].id + ' — ' + rules[ruleIndex].title + ': ' + formatCount(failing[ruleIndex]) + ' failing')); });
    panel.replaceChildren(heading, facts);
    if (list.childElementCount) panel.appendChild(list);
    panel.hidden = false;
  }

  function update(resetPage) {
    if (resetPage) state.page = 0;
    applyFilters();
    renderAccountDetail();
    renderPage();
    if (restored) writeHash();
  }

  // The URL is written only after the state it held was restored, so loading never overwrites it.
  var restored = false;

  function readFilters() {
    state.query = $('filter-query').value.trim();
    state.account = $('filter-account').value;
    state.region = $('filter-region').value;
    state.severity = $('filter-severity').value;
    state.status = $('filter-status').value;
    state.framework = $('filter-framework').value;
    state.rule = $('filter-rule').value;
    state.hideSuppressed = $('filter-suppressed').checked;
  }

  function setFilters(filters) {
    $('filters').reset();
    Object.keys(filters).forEach(function (key) {
      var input = $('filter-' + key);
      if (input.type === 'checkbox') input.checked = Boolean(filters[key]);
      else input.value = filters[key];
    });
    readFilters();
    update(true);
  }

  function showFindings(filters) {
    setFilters(filters);
    $('findings').scrollIntoView();
  }

  function restoreFromHash() {
    var filters = filtersFromHash(window.location.hash);
    if (filters) showFindings(filters);
    return filters !== null;
  }

  function wire() {
    var searchTimer = 0;
    ['filter-account', 'filter-region', 'filter-severity', 'filter-status', 'filter-framework', 'filter-rule', 'filter-suppressed'].forEach(function (id) {
      $(id).addEventListener('change', function () { readFilters(); update(true); });
    });
    $('filter-query').addEventListener('input', function () {
      window.clearTimeout(searchTimer);
      searchTimer = window.setTimeout(function () { readFilters(); update(true); }, 120);
    });
    $('filters').addEventListener('submit', function (event) { event.preventDefault(); });
    $('filters').addEventListener('reset', function () {
      window.setTimeout(function () { readFilters(); update(true); }, 0);
    });
    $('page-first').addEventListener('click', function () { state.page = 0; renderPage(); });
    $('page-prev').addEventListener('click', function () { state.page -= 1; renderPage(); });
    $('page-next').addEventListener('click', function () { state.page += 1; renderPage(); });
    $('page-last').addEventListener('click', function () { state.page = Number.MAX_SAFE_INTEGER; renderPage(); });
    $('page-size').addEventListener('change', function () { state.pageSize = Number($('page-size').value); update(true); });
    $('findings-body').addEventListener('click', function (event) {
      var tr = event.target.closest('tr.finding');
      if (!tr) return;
      var index = Number(tr.dataset.index);
      if (expanded.has(index)) expanded.delete(index); else expanded.add(index);
      renderPage();
    });
    // Matrix cells, account headers, rule headers and rule cards all open the explorer filtered.
    document.addEventListener('click', function (event) {
      var target = event.target.closest('[data-account], [data-rule]');
      if (!target || target.closest('#findings')) return;
      var filters = {};
      if (target.dataset.account !== undefined) filters.account = target.dataset.account;
      if (target.dataset.rule !== undefined) filters.rule = target.dataset.rule;
      if (target.dataset.status !== undefined) filters.status = target.dataset.status;
      showFindings(filters);
    });
    $('export-csv').addEventListener('click', exportCsv);
    // A pasted link, or back and forward between filter fragments; section links leave filters alone.
    window.addEventListener('hashchange', function () {
      if (window.location.hash !== stateToHash()) restoreFromHash();
    });
  }

  fillFilters();
  wire();
  if (!restoreFromHash()) update(true);
  restored = true;
  document.body.dataset.ready = 'true';
})();
