<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ru">
<context>
    <name>AddDialog</name>
    <message>
        <source>Start at</source>
        <translation>Начать в</translation>
    </message>
    <message>
        <source>Add downloads</source>
        <translation>Добавление загрузок</translation>
    </message>
    <message>
        <source>One URL per line: channels, playlists or videos</source>
        <translation>По одной ссылке в строке: каналы, плейлисты или видео</translation>
    </message>
    <message>
        <source>Detect from the URL</source>
        <translation>Определить по ссылке</translation>
    </message>
    <message>
        <source>Best available</source>
        <translation>Наилучшее доступное</translation>
    </message>
    <message>
        <source>Audio only</source>
        <translation>Только звук</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>Выкл.</translation>
    </message>
    <message>
        <source> h</source>
        <translation> ч</translation>
    </message>
    <message>
        <source>URLs</source>
        <translation>Ссылки</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Тип</translation>
    </message>
    <message>
        <source>Quality</source>
        <translation>Качество</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Приоритет</translation>
    </message>
    <message>
        <source>Re-sync every</source>
        <translation>Обновлять каждые</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Добавить</translation>
    </message>
    <message>
        <source>Enter at least one URL.</source>
        <translation>Введите хотя бы одну ссылку.</translation>
    </message>
    <message>
        <source>Nothing was added. Fix these entries:
%1</source>
        <translation>Ничего не добавлено. Исправьте эти строки:
%1</translation>
    </message>
    <message>
        <source>Nothing was added: %1</source>
        <translation>Ничего не добавлено: %1</translation>
    </message>
    <message>
        <source>Add the downloads (Ctrl+Enter)</source>
        <translation>Добавить загрузки (Ctrl+Enter)</translation>
    </message>
    <message numerus="yes">
        <source>%n line(s) not a URL</source>
        <translation>
            <numerusform>%n строка — не URL</numerusform>
            <numerusform>%n строки — не URL</numerusform>
            <numerusform>%n строк — не URL</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <source>No Spool instance is running for %1.</source>
        <translation>Для %1 не запущен ни один экземпляр Spool.</translation>
    </message>
    <message>
        <source>Start one with: spool --headless --data-dir %1</source>
        <translation>Запустите его командой: spool --headless --data-dir %1</translation>
    </message>
    <message>
        <source>The running instance refused the token (give the one it uses with --api-token).</source>
        <translation>Запущенный экземпляр отклонил токен (укажите его токен в --api-token).</translation>
    </message>
    <message>
        <source>Error: %1</source>
        <translation>Ошибка: %1</translation>
    </message>
    <message>
        <source>--at takes an ISO 8601 time (2030-01-31T08:00) or +30m, +2h, +1d</source>
        <translation>--at принимает время в формате ISO 8601 (2030-01-31T08:00) или +30m, +2h, +1d</translation>
    </message>
    <message>
        <source>job %1 (%2, %3): %4</source>
        <translation>задача %1 (%2, %3): %4</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>STATUS</source>
        <translation>СОСТОЯНИЕ</translation>
    </message>
    <message>
        <source>TYPE</source>
        <translation>ТИП</translation>
    </message>
    <message>
        <source>PROGRESS</source>
        <translation>ПРОГРЕСС</translation>
    </message>
    <message>
        <source>NAME</source>
        <translation>НАЗВАНИЕ</translation>
    </message>
    <message>
        <source>(%1 of %2 jobs shown)</source>
        <translation>(показано задач: %1 из %2)</translation>
    </message>
    <message>
        <source>job %1 is %2</source>
        <translation>задача %1: %2</translation>
    </message>
    <message numerus="yes">
        <source>The queue is paused: nothing new starts (%n job(s) still running).</source>
        <translation>
            <numerusform>Очередь приостановлена: новые задачи не запускаются (ещё выполняется %n задача).</numerusform>
            <numerusform>Очередь приостановлена: новые задачи не запускаются (ещё выполняются %n задачи).</numerusform>
            <numerusform>Очередь приостановлена: новые задачи не запускаются (ещё выполняется %n задач).</numerusform>
        </translation>
    </message>
    <message>
        <source>The queue is running.</source>
        <translation>Очередь работает.</translation>
    </message>
    <message>
        <source>Subscription %1 removed; its jobs and downloaded videos stay.</source>
        <translation>Подписка %1 удалена; её задачи и загруженные видео остаются.</translation>
    </message>
    <message>
        <source>Nothing is kept in sync.</source>
        <translation>Подписок нет.</translation>
    </message>
    <message>
        <source>EVERY</source>
        <translation>ИНТЕРВАЛ</translation>
    </message>
    <message>
        <source>NEXT CHECK</source>
        <translation>СЛЕД. ПРОВЕРКА</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>ССЫЛКА</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 ч</translation>
    </message>
    <message>
        <source>The program listening on %1 is not Spool for %2 (stale api.json?) — the token was not sent.</source>
        <translation>Программа, которая слушает %1, не является Spool для %2 (устаревший api.json?) — токен не отправлен.</translation>
    </message>
    <message>
        <source>Its answer does not match this token: if Spool was started with another token, give that one with --api-token.</source>
        <translation>Её ответ не соответствует этому токену: если Spool запущен с другим токеном, укажите его в --api-token.</translation>
    </message>
    <message>
        <source>%1 resumed: its jobs may start now.</source>
        <translation>%1: пауза снята, его задачи могут запускаться.</translation>
    </message>
    <message>
        <source>No host is pausing.</source>
        <translation>Ни один узел не на паузе.</translation>
    </message>
    <message>
        <source>HOST</source>
        <translation>УЗЕЛ</translation>
    </message>
    <message>
        <source>UNTIL</source>
        <translation>ДО</translation>
    </message>
    <message>
        <source>KIND</source>
        <translation>ПРИЧИНА</translation>
    </message>
    <message>
        <source>STRIKES</source>
        <translation>ОТКАЗЫ</translation>
    </message>
    <message>
        <source>REASON</source>
        <translation>СООБЩЕНИЕ</translation>
    </message>
    <message numerus="yes">
        <source>%n day(s) old</source>
        <translation>
            <numerusform>%n день назад</numerusform>
            <numerusform>%n дня назад</numerusform>
            <numerusform>%n дней назад</numerusform>
        </translation>
    </message>
    <message>
        <source>not found</source>
        <translation>не найден</translation>
    </message>
    <message>
        <source>Warning: %1</source>
        <translation>Предупреждение: %1</translation>
    </message>
</context>
<context>
    <name>CommandLine</name>
    <message>
        <source>Run the queue and the API without a window until SIGINT or SIGTERM.</source>
        <translation>Выполнять очередь и API без окна до получения SIGINT или SIGTERM.</translation>
    </message>
    <message>
        <source>Folder for the queue database, logs and settings.</source>
        <translation>Каталог для базы данных очереди, журналов и настроек.</translation>
    </message>
    <message>
        <source>Folder downloads go to.</source>
        <translation>Каталог, в который сохраняются загрузки.</translation>
    </message>
    <message>
        <source>IP address the HTTP API listens on (default 127.0.0.1).</source>
        <translation>IP-адрес, на котором HTTP API принимает запросы (по умолчанию 127.0.0.1).</translation>
    </message>
    <message>
        <source>Port of the HTTP API (default 8765; 0: any free port).</source>
        <translation>Порт HTTP API (по умолчанию 8765; 0 — любой свободный порт).</translation>
    </message>
    <message>
        <source>add: the job type (default: guessed from each URL).</source>
        <translation>add: тип задачи (по умолчанию определяется по каждой ссылке).</translation>
    </message>
    <message>
        <source>add: priority from -1000 to 1000 (higher runs first).</source>
        <translation>add: приоритет от -1000 до 1000 (чем выше, тем раньше запуск).</translation>
    </message>
    <message>
        <source>add: start not before TIME (ISO 8601, local time unless a zone is given; or +30m, +2h, +1d).</source>
        <translation>add: начать не раньше TIME (ISO 8601, местное время, если не указан часовой пояс; или +30m, +2h, +1d).</translation>
    </message>
    <message>
        <source>list: only jobs with this status (or several, comma-separated).</source>
        <translation>list: только задачи в этом состоянии (или в нескольких, через запятую).</translation>
    </message>
    <message>
        <source>log: keep printing until the job ends.</source>
        <translation>log: продолжать вывод, пока задача не закончится.</translation>
    </message>
    <message>
        <source>--api-bind takes an IP address, such as 127.0.0.1 or 0.0.0.0</source>
        <translation>--api-bind принимает IP-адрес, например 127.0.0.1 или 0.0.0.0</translation>
    </message>
    <message>
        <source>--api-port takes a port number from 0 to 65535</source>
        <translation>--api-port принимает номер порта от 0 до 65535</translation>
    </message>
    <message>
        <source>--priority takes a number from -1000 to 1000</source>
        <translation>--priority принимает число от -1000 до 1000</translation>
    </message>
    <message>
        <source>--status goes with &apos;list&apos;</source>
        <translation>--status используется с командой «list»</translation>
    </message>
    <message>
        <source>--follow goes with &apos;log&apos;</source>
        <translation>--follow используется с командой «log»</translation>
    </message>
    <message>
        <source>&apos;add&apos; needs at least one URL</source>
        <translation>команде «add» нужна хотя бы одна ссылка</translation>
    </message>
    <message>
        <source>&apos;list&apos; takes no arguments</source>
        <translation>команда «list» не принимает аргументов</translation>
    </message>
    <message>
        <source>this command takes one job id</source>
        <translation>эта команда принимает один номер задачи</translation>
    </message>
    <message>
        <source>URLs to add, or a command and its arguments.</source>
        <translation>Ссылки для добавления или команда с её аргументами.</translation>
    </message>
    <message>
        <source>this command takes no arguments</source>
        <translation>эта команда не принимает аргументов</translation>
    </message>
    <message>
        <source>add: keep a channel or playlist in sync, checking it every N hours.</source>
        <translation>add: подписаться на канал или плейлист и проверять его каждые N часов.</translation>
    </message>
    <message>
        <source>--every takes a number of hours from 1 to 8760</source>
        <translation>--every принимает число часов от 1 до 8760</translation>
    </message>
    <message>
        <source>--type, --priority, --at and --every go with &apos;add&apos;</source>
        <translation>--type, --priority, --at и --every используются с «add»</translation>
    </message>
    <message>
        <source>&apos;unsubscribe&apos; takes one subscription id (see &apos;spool subscriptions&apos;)</source>
        <translation>«unsubscribe» принимает один номер подписки (см. «spool subscriptions»)</translation>
    </message>
    <message>
        <source>The queue&apos;s database: a PostgreSQL URL (postgresql://user@host:port/db) shared by several hosts; default: SQLite in the data dir. Leave the password out and keep it in ~/.pgpass or PGPASSFILE: a command line is visible to every local user.</source>
        <translation>База данных очереди: URL PostgreSQL (postgresql://user@host:port/db), общий для нескольких узлов; по умолчанию — SQLite в папке данных. Не указывайте пароль здесь, храните его в ~/.pgpass или PGPASSFILE: командную строку видит любой локальный пользователь.</translation>
    </message>
    <message>
        <source>This host&apos;s name in a shared queue&apos;s Worker column (default: the machine&apos;s name).</source>
        <translation>Имя этого узла в столбце «Исполнитель» общей очереди (по умолчанию — имя компьютера).</translation>
    </message>
    <message>
        <source>With --headless: only run jobs of a shared queue (no API, no subscriptions).</source>
        <translation>Вместе с --headless: только выполнять задания общей очереди (без API и подписок).</translation>
    </message>
    <message>
        <source>--database takes a PostgreSQL URL, such as postgresql://spool@nas:5432/spool</source>
        <translation>--database принимает URL PostgreSQL, например postgresql://spool@nas:5432/spool</translation>
    </message>
    <message>
        <source>--host-name takes 1 to 64 letters, digits, &apos;.&apos;, &apos;-&apos; or &apos;_&apos;</source>
        <translation>--host-name принимает от 1 до 64 букв, цифр, «.», «-» или «_»</translation>
    </message>
    <message>
        <source>--worker-only goes with --headless</source>
        <translation>--worker-only используется вместе с --headless</translation>
    </message>
    <message>
        <source>How many jobs run at once (1-64; 0 on a shared queue: this host only monitors and controls, the others run the jobs).</source>
        <translation>Сколько задач выполняется одновременно (1-64; 0 в общей очереди: этот узел только наблюдает и управляет, задачи выполняют другие).</translation>
    </message>
    <message>
        <source>--workers takes a number from 0 to 64</source>
        <translation>--workers принимает число от 0 до 64</translation>
    </message>
    <message>
        <source>--worker-only runs jobs: it needs --workers 1 or more</source>
        <translation>--worker-only выполняет задачи: нужно --workers 1 или больше</translation>
    </message>
    <message>
        <source>Token the HTTP API requires (default: a random one kept in &lt;data dir&gt;/api.token). Visible to every local user in the process list: prefer --api-token-file or SPOOL_API_TOKEN.</source>
        <translation>Токен, который требует HTTP API (по умолчанию случайный, хранится в &lt;data dir&gt;/api.token). Виден всем локальным пользователям в списке процессов: лучше --api-token-file или SPOOL_API_TOKEN.</translation>
    </message>
    <message>
        <source>Read the API token from the first line of this file (keep it mode 0600).</source>
        <translation>Прочитать токен API из первой строки этого файла (держите у него права 0600).</translation>
    </message>
    <message>
        <source>--api-token-file: cannot read %1</source>
        <translation>--api-token-file: не удаётся прочитать %1</translation>
    </message>
    <message>
        <source>--api-token-file: %1 holds no token on its first line</source>
        <translation>--api-token-file: в первой строке %1 нет токена</translation>
    </message>
    <message>
        <source>hosts: end this host&apos;s pause now (its jobs may start).</source>
        <translation>hosts: снять паузу с этого узла сейчас (его задачи смогут запускаться).</translation>
    </message>
    <message>
        <source>--resume goes with &apos;hosts&apos;</source>
        <translation>--resume используется с «hosts»</translation>
    </message>
    <message>
        <source>--resume takes a host name as &apos;spool hosts&apos; shows it, such as www.youtube.com</source>
        <translation>--resume принимает имя узла так, как его показывает «spool hosts», например www.youtube.com</translation>
    </message>
    <message>
        <source>Spool: a download manager built around a durable job queue.

Commands for the running Spool of the same data dir:
  add URL... [--type T] [--priority N] [--at TIME] [--every HOURS]
                                                     add download jobs
  list [--status S] [--json]                         list jobs
  show ID [--json]                                   show one job
  retry ID                                           run a dead or cancelled job again
  cancel ID                                          cancel a job
  log ID [--follow]                                  print a job&apos;s log
  pause-queue                                        start nothing new (kept across restarts)
  resume-queue                                       start jobs again
  subscriptions [--json]                             channels and playlists kept in sync
  unsubscribe ID                                     stop keeping one in sync
  hosts [--json] [--resume HOST]                     hosts pausing after a rate limit; end a pause now
  tools [--json]                                     yt-dlp, ffmpeg and the JavaScript runtime: versions, what is wrong</source>
        <translation>Spool: менеджер загрузок на основе надёжной очереди задач.

Команды для запущенного Spool с тем же каталогом данных:
  add URL... [--type T] [--priority N] [--at TIME] [--every HOURS]
                                                     добавить задачи загрузки
  list [--status S] [--json]                         показать список задач
  show ID [--json]                                   показать одну задачу
  retry ID                                           снова запустить задачу с ошибкой или отменённую
  cancel ID                                          отменить задачу
  log ID [--follow]                                  вывести журнал задачи
  pause-queue                                        не запускать новые задачи (сохраняется после перезапуска)
  resume-queue                                       снова запускать задачи
  subscriptions [--json]                             каналы и плейлисты с подпиской
  unsubscribe ID                                     отменить подписку
  hosts [--json] [--resume HOST]                     узлы на паузе после ограничения частоты; снять паузу сейчас
  tools [--json]                                     yt-dlp, ffmpeg и среда JavaScript: версии и что не так</translation>
    </message>
    <message>
        <source>list, show, subscriptions, hosts, tools: print the API&apos;s JSON.</source>
        <translation>list, show, subscriptions, hosts, tools: вывести JSON, полученный от API.</translation>
    </message>
    <message>
        <source>--json goes with &apos;list&apos;, &apos;show&apos;, &apos;subscriptions&apos;, &apos;hosts&apos; or &apos;tools&apos;</source>
        <translation>--json используется с «list», «show», «subscriptions», «hosts» или «tools»</translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>Open file</source>
        <translation>Открыть файл</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Открыть папку</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Название</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>Ссылка</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Тип</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Приоритет</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Попытки</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>Добавлена</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Запущена</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Окончена</translation>
    </message>
    <message>
        <source>Next attempt</source>
        <translation>Следующая попытка</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>Ошибка</translation>
    </message>
    <message>
        <source>Uploader</source>
        <translation>Автор</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>Длительность</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Файл</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Параметры</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Результат</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 из %2</translation>
    </message>
    <message>
        <source>Videos: %1 done, %2 failed, %3 in all</source>
        <translation>Видео: готово %1, с ошибкой %2, всего %3</translation>
    </message>
    <message>
        <source>Select a job to see its details, its videos and its log.</source>
        <translation>Выберите задачу, чтобы увидеть её сведения, видео и журнал.</translation>
    </message>
    <message numerus="yes">
        <source>%n more already downloaded or queued</source>
        <translation>
            <numerusform>ещё %n уже загружено или в очереди</numerusform>
            <numerusform>ещё %n уже загружены или в очереди</numerusform>
            <numerusform>ещё %n уже загружено или в очереди</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>No new videos: the %n found were already downloaded or queued.</source>
        <translation>
            <numerusform>Новых видео нет: %n найденное видео уже загружено или стоит в очереди.</numerusform>
            <numerusform>Новых видео нет: %n найденных видео уже загружены или стоят в очереди.</numerusform>
            <numerusform>Новых видео нет: %n найденных видео уже загружены или стоят в очереди.</numerusform>
        </translation>
    </message>
    <message>
        <source>No videos found.</source>
        <translation>Видео не найдено.</translation>
    </message>
</context>
<context>
    <name>DownloadEnv</name>
    <message>
        <source>&quot;%1&quot; is not an extractor argument: write an optional site, then the extractor and its arguments, like &quot;youtube.com youtube:player_client=default&quot;</source>
        <translation>«%1» — не аргумент экстрактора: укажите (необязательно) сайт, затем экстрактор и его аргументы, например «youtube.com youtube:player_client=default»</translation>
    </message>
</context>
<context>
    <name>HostPauseBar</name>
    <message>
        <source>rate limited</source>
        <translation>ограничение частоты запросов</translation>
    </message>
    <message>
        <source>asked to prove it is not a bot</source>
        <translation>просит доказать, что это не бот</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>отказ</translation>
    </message>
    <message>
        <source>%1 paused until %2 — %3</source>
        <translation>%1 на паузе до %2 — %3</translation>
    </message>
    <message>
        <source>(pause %1 in a row)</source>
        <translation>(пауза %1 подряд)</translation>
    </message>
    <message>
        <source>Resume now</source>
        <translation>Продолжить сейчас</translation>
    </message>
    <message>
        <source>Let %1 start downloads again now; if it refuses again, the next pause is longer.</source>
        <translation>Разрешить %1 снова начинать загрузки сейчас; если сайт опять откажет, следующая пауза будет дольше.</translation>
    </message>
</context>
<context>
    <name>HostsApi</name>
    <message>
        <source>the host must be 1 to %1 lowercase letters, digits, dots or dashes, such as www.youtube.com</source>
        <translation>имя узла — от 1 до %1 строчных букв, цифр, точек или дефисов, например www.youtube.com</translation>
    </message>
</context>
<context>
    <name>JobPaths</name>
    <message>
        <source>the field &apos;%1&apos; in a folder name must be a plain field name (such as uploader or playlist_title), alternatives separated by commas</source>
        <translation>поле «%1» в имени папки должно быть простым именем поля (например, uploader или playlist_title), варианты — через запятую</translation>
    </message>
    <message>
        <source>the field &apos;%1&apos; in a folder name can become &apos;.&apos; or &apos;..&apos;</source>
        <translation>поле «%1» в имени папки может стать «.» или «..»</translation>
    </message>
    <message>
        <source>the output template is empty</source>
        <translation>шаблон имени файла пуст</translation>
    </message>
    <message>
        <source>the output template is longer than %1 characters</source>
        <translation>шаблон имени файла длиннее %1 символов</translation>
    </message>
    <message>
        <source>the output template contains a control character</source>
        <translation>в шаблоне имени файла есть управляющий символ</translation>
    </message>
    <message>
        <source>the output template must be relative to the download folder</source>
        <translation>шаблон имени файла должен быть относительным (внутри папки загрузок)</translation>
    </message>
    <message>
        <source>the output template must end with &apos;.%(ext)s&apos;</source>
        <translation>шаблон имени файла должен заканчиваться на «.%(ext)s»</translation>
    </message>
    <message>
        <source>the output template has a &apos;%&apos; that starts no field (write %% for a percent sign)</source>
        <translation>в шаблоне имени файла есть «%», за которым нет поля (знак процента пишется как %%)</translation>
    </message>
    <message>
        <source>the output template has a field that is not closed</source>
        <translation>в шаблоне имени файла есть незакрытое поле</translation>
    </message>
    <message>
        <source>the output template names the folder &apos;%1&apos;</source>
        <translation>шаблон имени файла называет папку «%1»</translation>
    </message>
    <message>
        <source>a folder of the output template is only dots and fields, so it can become &apos;..&apos;</source>
        <translation>папка в шаблоне имени файла состоит только из точек и полей и может стать «..»</translation>
    </message>
    <message>
        <source>is empty</source>
        <translation>пусто</translation>
    </message>
    <message>
        <source>contains a control character</source>
        <translation>содержит управляющий символ</translation>
    </message>
    <message>
        <source>contains &apos;..&apos;; name the folder directly</source>
        <translation>содержит «..»; укажите папку напрямую</translation>
    </message>
    <message>
        <source>starts with &apos;~&apos;; give the path inside the download folder</source>
        <translation>начинается с «~»; укажите путь внутри папки загрузок</translation>
    </message>
</context>
<context>
    <name>JobQueue</name>
    <message>
        <source>a job type is required</source>
        <translation>нужен тип задачи</translation>
    </message>
    <message>
        <source>unknown job type &apos;%1&apos;</source>
        <translation>неизвестный тип задачи «%1»</translation>
    </message>
    <message>
        <source>the URL is longer than %1 characters</source>
        <translation>URL длиннее %1 символов</translation>
    </message>
    <message>
        <source>priority must be between %1 and %2</source>
        <translation>приоритет должен быть от %1 до %2</translation>
    </message>
    <message>
        <source>job %1 does not exist</source>
        <translation>задачи %1 нет</translation>
    </message>
    <message>
        <source>job %1 is %2, not paused</source>
        <translation>задача %1 не приостановлена (состояние: %2)</translation>
    </message>
    <message>
        <source>job %1 is %2; only failed, cancelled or retrying jobs can be retried</source>
        <translation>задача %1 в состоянии «%2»; повторить можно только задачи с ошибкой, отменённые или ждущие повтора</translation>
    </message>
    <message>
        <source>parent job %1 does not exist</source>
        <translation>родительской задачи %1 нет</translation>
    </message>
    <message>
        <source>parent job %1 is %2</source>
        <translation>родительская задача %1 в состоянии «%2»</translation>
    </message>
    <message>
        <source>job %1 cannot return: an identical job is already queued</source>
        <translation>задача %1 не может вернуться: такая же задача уже в очереди</translation>
    </message>
    <message>
        <source>the same source was added meanwhile elsewhere; try again</source>
        <translation>тот же источник тем временем добавлен в другом месте; попробуйте ещё раз</translation>
    </message>
    <message>
        <source>job %1 cannot go from %2 to %3</source>
        <translation>задачу %1 нельзя перевести из состояния «%2» в «%3»</translation>
    </message>
    <message>
        <source>job %1 is running; cancel it first</source>
        <translation>задача %1 выполняется; сначала отмените её</translation>
    </message>
    <message>
        <source>job %1 of job %2 is running; cancel it first</source>
        <translation>задача %1 из задачи %2 выполняется; сначала отмените её</translation>
    </message>
    <message>
        <source>a URL is required</source>
        <translation>нужен URL</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not a valid URL</source>
        <translation>«%1» не является допустимым URL</translation>
    </message>
    <message>
        <source>&apos;%1&apos; is not an http or https URL</source>
        <translation>«%1» — не адрес http или https</translation>
    </message>
    <message>
        <source>&apos;%1&apos; has no host</source>
        <translation>в «%1» нет имени хоста</translation>
    </message>
    <message>
        <source>subscription %1 does not exist</source>
        <translation>подписки %1 нет</translation>
    </message>
    <message>
        <source>a sync of %1 is already queued or running (job %2)</source>
        <translation>синхронизация %1 уже в очереди или выполняется (задача %2)</translation>
    </message>
    <message>
        <source>the interval must be between one minute and a year</source>
        <translation>интервал должен быть от минуты до года</translation>
    </message>
    <message>
        <source>option &apos;%1&apos; %2</source>
        <translation>параметр «%1»: %2</translation>
    </message>
    <message>
        <source>is not inside the download folder %1</source>
        <translation>не находится внутри папки загрузок %1</translation>
    </message>
    <message>
        <source>%1 is not paused</source>
        <translation>%1 не на паузе</translation>
    </message>
</context>
<context>
    <name>JobStatus</name>
    <message>
        <source>pending</source>
        <translation>в очереди</translation>
    </message>
    <message>
        <source>running</source>
        <translation>выполняется</translation>
    </message>
    <message>
        <source>retrying</source>
        <translation>ждёт повтора</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>приостановлена</translation>
    </message>
    <message>
        <source>completed</source>
        <translation>завершена</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>отменена</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>ошибка</translation>
    </message>
</context>
<context>
    <name>JobTableModel</name>
    <message>
        <source>Pending</source>
        <translation>В очереди</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Выполняется</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Ждёт повтора</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Приостановлена</translation>
    </message>
    <message>
        <source>Completed</source>
        <translation>Завершена</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Ошибка</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Отменена</translation>
    </message>
    <message>
        <source>Channel</source>
        <translation>Канал</translation>
    </message>
    <message>
        <source>Playlist</source>
        <translation>Плейлист</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>Видео</translation>
    </message>
    <message>
        <source>Metadata</source>
        <translation>Метаданные</translation>
    </message>
    <message>
        <source>Cleanup</source>
        <translation>Очистка</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Название</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Тип</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Состояние</translation>
    </message>
    <message>
        <source>Progress</source>
        <translation>Прогресс</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Приоритет</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Попытки</translation>
    </message>
    <message>
        <source>Added</source>
        <translation>Добавлена</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>Запущена</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Окончена</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Последняя ошибка</translation>
    </message>
    <message numerus="yes">
        <source>%n video(s) failed or cancelled</source>
        <translation>
            <numerusform>%n видео с ошибкой или отменено</numerusform>
            <numerusform>%n видео с ошибкой или отменены</numerusform>
            <numerusform>%n видео с ошибкой или отменены</numerusform>
        </translation>
    </message>
    <message>
        <source>Rate limited</source>
        <translation>Ограничение частоты запросов</translation>
    </message>
    <message>
        <source>Bot check</source>
        <translation>Проверка на бота</translation>
    </message>
    <message>
        <source>Disk full</source>
        <translation>Диск заполнен</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>Не найдено</translation>
    </message>
    <message>
        <source>Unsupported URL</source>
        <translation>Неподдерживаемый URL</translation>
    </message>
    <message>
        <source>Unavailable</source>
        <translation>Недоступно</translation>
    </message>
    <message>
        <source>Sign-in required</source>
        <translation>Требуется вход</translation>
    </message>
    <message>
        <source>Forbidden</source>
        <translation>Доступ запрещён</translation>
    </message>
    <message>
        <source>Server error</source>
        <translation>Ошибка сервера</translation>
    </message>
    <message>
        <source>Timed out</source>
        <translation>Превышено время ожидания</translation>
    </message>
    <message>
        <source>Network error</source>
        <translation>Ошибка сети</translation>
    </message>
    <message>
        <source>Stalled</source>
        <translation>Зависло</translation>
    </message>
    <message>
        <source>Worker lost</source>
        <translation>Исполнитель потерян</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Прервано</translation>
    </message>
    <message>
        <source>Tool missing</source>
        <translation>Нет инструмента</translation>
    </message>
    <message>
        <source>Invalid option</source>
        <translation>Неверный параметр</translation>
    </message>
    <message>
        <source>Invalid path</source>
        <translation>Неверный путь</translation>
    </message>
    <message>
        <source>File error</source>
        <translation>Ошибка файла</translation>
    </message>
    <message>
        <source>Internal error</source>
        <translation>Внутренняя ошибка</translation>
    </message>
    <message>
        <source>Unknown error</source>
        <translation>Неизвестная ошибка</translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>Исполнитель</translation>
    </message>
</context>
<context>
    <name>LogView</name>
    <message>
        <source>All levels</source>
        <translation>Все уровни</translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation>Информация и выше</translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation>Предупреждения и ошибки</translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation>Только ошибки</translation>
    </message>
    <message>
        <source>Find in log (Enter for next)</source>
        <translation>Поиск в журнале (Enter — следующее совпадение)</translation>
    </message>
    <message>
        <source>Showing the end of a %1 MB log</source>
        <translation>Показан конец журнала размером %1 МБ</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Spool</source>
        <translation>Spool</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Подробности</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>Журнал</translation>
    </message>
    <message>
        <source>&amp;Add…</source>
        <translation>&amp;Добавить…</translation>
    </message>
    <message>
        <source>&amp;Paste URLs</source>
        <translation>Вст&amp;авить ссылки</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>&amp;Повторить</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>&amp;Отменить</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>Pa&amp;use</source>
        <translation>Пр&amp;иостановить</translation>
    </message>
    <message>
        <source>Ctrl+P</source>
        <translation>Ctrl+P</translation>
    </message>
    <message>
        <source>Res&amp;ume</source>
        <translation>&amp;Возобновить</translation>
    </message>
    <message>
        <source>Ctrl+Shift+P</source>
        <translation>Ctrl+Shift+P</translation>
    </message>
    <message>
        <source>Raise priority</source>
        <translation>Повысить приоритет</translation>
    </message>
    <message>
        <source>Ctrl+Up</source>
        <translation>Ctrl+Up</translation>
    </message>
    <message>
        <source>Lower priority</source>
        <translation>Понизить приоритет</translation>
    </message>
    <message>
        <source>Ctrl+Down</source>
        <translation>Ctrl+Down</translation>
    </message>
    <message>
        <source>Re&amp;move</source>
        <translation>&amp;Удалить</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>Открыть папку &amp;журнала</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>Copy &amp;URL</source>
        <translation>&amp;Копировать ссылку</translation>
    </message>
    <message>
        <source>Ctrl+Shift+C</source>
        <translation>Ctrl+Shift+C</translation>
    </message>
    <message>
        <source>Pause &amp;queue</source>
        <translation>Приостановить &amp;очередь</translation>
    </message>
    <message>
        <source>F6</source>
        <translation>F6</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>&amp;Настройки…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Выход</translation>
    </message>
    <message>
        <source>&amp;Welcome…</source>
        <translation>&amp;Приветствие…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Справка</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>Основная панель</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Файл</translation>
    </message>
    <message>
        <source>&amp;Jobs</source>
        <translation>&amp;Задачи</translation>
    </message>
    <message>
        <source>&amp;Queue</source>
        <translation>&amp;Очередь</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>Все состояния</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Активные</translation>
    </message>
    <message>
        <source>All types</source>
        <translation>Все типы</translation>
    </message>
    <message>
        <source>Search titles and URLs</source>
        <translation>Поиск по названиям и ссылкам</translation>
    </message>
    <message>
        <source>Show videos of channels</source>
        <translation>Показывать видео из каналов</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Добавить</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>Скрыть</translation>
    </message>
    <message>
        <source>Queue paused</source>
        <translation>Очередь приостановлена</translation>
    </message>
    <message>
        <source>No jobs</source>
        <translation>Нет задач</translation>
    </message>
    <message>
        <source>Nothing was added. These entries are not valid:
%1</source>
        <translation>Ничего не добавлено. Эти строки — не допустимые ссылки:
%1</translation>
    </message>
    <message>
        <source>Nothing was added: %1</source>
        <translation>Ничего не добавлено: %1</translation>
    </message>
    <message numerus="yes">
        <source>Added %n job(s)</source>
        <translation>
            <numerusform>Добавлена %n задача</numerusform>
            <numerusform>Добавлено %n задачи</numerusform>
            <numerusform>Добавлено %n задач</numerusform>
        </translation>
    </message>
    <message>
        <source>Add the copied %1 link?
%2</source>
        <translation>Добавить скопированную ссылку (%1)?
%2</translation>
    </message>
    <message>
        <source>Stopping downloads…</source>
        <translation>Остановка загрузок…</translation>
    </message>
    <message>
        <source>Showing the first %L1 matches; type more to narrow the search</source>
        <translation>Показаны первые %L1 совпадений; уточните запрос, чтобы сузить поиск</translation>
    </message>
    <message>
        <source>Not done: %1</source>
        <translation>Не выполнено: %1</translation>
    </message>
    <message>
        <source>&amp;About Spool</source>
        <translation>&amp;О программе Spool</translation>
    </message>
    <message>
        <source>About Spool</source>
        <translation>О программе Spool</translation>
    </message>
    <message>
        <source>About &amp;Qt</source>
        <translation>О &amp;Qt</translation>
    </message>
    <message>
        <source>A download manager for channels, playlists and videos, built around a durable job queue.</source>
        <translation>Менеджер загрузок каналов, плейлистов и видео, построенный на надёжной очереди задач.</translation>
    </message>
    <message>
        <source>Downloads with yt-dlp and ffmpeg. The queue, the log of every job and the settings are kept in %1.</source>
        <translation>Загружает с помощью yt-dlp и ffmpeg. Очередь, журнал каждой задачи и настройки хранятся в %1.</translation>
    </message>
    <message>
        <source>Remove jobs</source>
        <translation>Удаление задач</translation>
    </message>
    <message numerus="yes">
        <source>Remove %n job(s) from the list?</source>
        <translation>
            <numerusform>Удалить %n задачу из списка?</numerusform>
            <numerusform>Удалить %n задачи из списка?</numerusform>
            <numerusform>Удалить %n задач из списка?</numerusform>
        </translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Удалить</translation>
    </message>
    <message numerus="yes">
        <source>Removed %n job(s) from the list.</source>
        <translation>
            <numerusform>Из списка удалена %n задача.</numerusform>
            <numerusform>Из списка удалены %n задачи.</numerusform>
            <numerusform>Из списка удалено %n задач.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Remove “%1” and its %n video(s) from the list?</source>
        <translation>
            <numerusform>Удалить из списка «%1» и %n его видео?</numerusform>
            <numerusform>Удалить из списка «%1» и %n его видео?</numerusform>
            <numerusform>Удалить из списка «%1» и %n его видео?</numerusform>
        </translation>
    </message>
    <message>
        <source>Downloaded files stay on disk. Spool remembers which videos it downloaded, so adding the channel again does not fetch them twice.</source>
        <translation>Загруженные файлы остаются на диске. Spool помнит, какие видео он загрузил, и при повторном добавлении канала не скачает их снова.</translation>
    </message>
    <message>
        <source>Downloaded files stay on disk.</source>
        <translation>Загруженные файлы остаются на диске.</translation>
    </message>
    <message>
        <source>Spool keeps downloading in the notification area. Click its icon to bring the window back; quit from its menu or with Ctrl+Q.</source>
        <translation>Spool продолжает загрузку в области уведомлений. Щёлкните его значок, чтобы вернуть окно; выйти можно из его меню или по Ctrl+Q.</translation>
    </message>
    <message>
        <source>Open download &amp;folder</source>
        <translation>Открыть папку &amp;загрузки</translation>
    </message>
    <message>
        <source>Ctrl+Shift+O</source>
        <translation>Ctrl+Shift+O</translation>
    </message>
    <message>
        <source>Not done: job %1 has downloaded nothing yet</source>
        <translation>Не выполнено: задача %1 ещё ничего не загрузила</translation>
    </message>
    <message>
        <source>&amp;Subscriptions…</source>
        <translation>&amp;Подписки…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+S</source>
        <translation>Ctrl+Shift+S</translation>
    </message>
    <message>
        <source>“%1” is still checked for new videos; to stop, unsubscribe in Queue ▸ Subscriptions.</source>
        <translation>«%1» по-прежнему проверяется на новые видео; чтобы это прекратить, отпишитесь в меню Очередь ▸ Подписки.</translation>
    </message>
    <message>
        <source>Done for now, but the database refused to keep it for the next start.</source>
        <translation>Сделано, но база данных не смогла сохранить это до следующего запуска.</translation>
    </message>
    <message>
        <source>The database refused to save (%1). Results are kept and saved again shortly.</source>
        <translation>База данных отказалась сохранять (%1). Результаты сохранены в памяти и вскоре будут записаны снова.</translation>
    </message>
    <message>
        <source>The database takes writes again; every waiting result is saved.</source>
        <translation>База данных снова принимает запись; все ожидавшие результаты сохранены.</translation>
    </message>
    <message numerus="yes">
        <source>Not saving: the database refuses writes (%n result(s) waiting)</source>
        <translation>
            <numerusform>Не сохраняется: база данных отказывает в записи (ждёт %n результат)</numerusform>
            <numerusform>Не сохраняется: база данных отказывает в записи (ждут %n результата)</numerusform>
            <numerusform>Не сохраняется: база данных отказывает в записи (ждут %n результатов)</numerusform>
        </translation>
    </message>
    <message>
        <source>Not done: the database refused the change (%1)</source>
        <translation>Не выполнено: база данных отказалась принять изменение (%1)</translation>
    </message>
    <message>
        <source>The shared queue is unreachable (%1). Spool reconnects; results are kept meanwhile.</source>
        <translation>Общая очередь недоступна (%1). Spool переподключается; результаты пока сохраняются в памяти.</translation>
    </message>
    <message numerus="yes">
        <source>Queue unreachable, reconnecting (%n result(s) waiting)</source>
        <translation>
            <numerusform>Очередь недоступна, переподключение (ожидает %n результат)</numerusform>
            <numerusform>Очередь недоступна, переподключение (ожидают %n результата)</numerusform>
            <numerusform>Очередь недоступна, переподключение (ожидают %n результатов)</numerusform>
        </translation>
    </message>
    <message>
        <source>Monitoring: this host runs no jobs</source>
        <translation>Наблюдение: этот узел не выполняет задач</translation>
    </message>
    <message>
        <source>Not resumed: %1</source>
        <translation>Не продолжено: %1</translation>
    </message>
</context>
<context>
    <name>ProgressDelegate</name>
    <message>
        <source>%1/s</source>
        <translation>%1/с</translation>
    </message>
    <message>
        <source>%1 left</source>
        <translation>осталось %1</translation>
    </message>
    <message>
        <source>%1 / %2 videos</source>
        <translation>%1 / %2 видео</translation>
    </message>
    <message>
        <source>No new videos</source>
        <translation>Новых видео нет</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>Настройки</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>Загрузки</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Очередь</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Инструменты</translation>
    </message>
    <message>
        <source>Remote control</source>
        <translation>Удалённое управление</translation>
    </message>
    <message>
        <source>Changes to the queue, tools and remote control apply after Spool restarts.</source>
        <translation>Изменения очереди, инструментов и удалённого управления вступят в силу после перезапуска Spool.</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>Выбрать…</translation>
    </message>
    <message>
        <source>Download folder</source>
        <translation>Папка загрузок</translation>
    </message>
    <message>
        <source>unlimited (e.g. 2M for 2 MB/s)</source>
        <translation>без ограничения (например, 2M — это 2 МБ/с)</translation>
    </message>
    <message>
        <source>Bandwidth cap</source>
        <translation>Ограничение скорости</translation>
    </message>
    <message>
        <source>any time (e.g. 01:00-07:00)</source>
        <translation>в любое время (например, 01:00-07:00)</translation>
    </message>
    <message>
        <source>Download only between</source>
        <translation>Загружать только в интервале</translation>
    </message>
    <message>
        <source>cookies.txt for members-only or age-restricted videos</source>
        <translation>cookies.txt для видео только для спонсоров или с возрастным ограничением</translation>
    </message>
    <message>
        <source>Cookies file</source>
        <translation>Файл cookies</translation>
    </message>
    <message>
        <source>Extract metadata (.info.json) after each download</source>
        <translation>Сохранять метаданные (.info.json) после каждой загрузки</translation>
    </message>
    <message>
        <source>Offer to add video links copied to the clipboard</source>
        <translation>Предлагать добавить ссылки на видео, скопированные в буфер обмена</translation>
    </message>
    <message>
        <source>Jobs at once</source>
        <translation>Задач одновременно</translation>
    </message>
    <message>
        <source>Attempts per job</source>
        <translation>Попыток на задачу</translation>
    </message>
    <message>
        <source> s</source>
        <translation> с</translation>
    </message>
    <message>
        <source>First retry after</source>
        <translation>Первый повтор через</translation>
    </message>
    <message>
        <source>Longest wait between retries</source>
        <translation>Наибольшая пауза между повторами</translation>
    </message>
    <message>
        <source>Stalled after no progress for</source>
        <translation>Считать зависшей, если нет прогресса</translation>
    </message>
    <message>
        <source> h</source>
        <translation> ч</translation>
    </message>
    <message>
        <source>Longest run of one job</source>
        <translation>Наибольшая длительность одной задачи</translation>
    </message>
    <message>
        <source> days</source>
        <translation> дн.</translation>
    </message>
    <message>
        <source>keep forever</source>
        <translation>хранить всегда</translation>
    </message>
    <message>
        <source>Forget finished jobs after</source>
        <translation>Удалять завершённые задачи через</translation>
    </message>
    <message>
        <source>found on PATH</source>
        <translation>ищется в PATH</translation>
    </message>
    <message>
        <source>yt-dlp</source>
        <translation>yt-dlp</translation>
    </message>
    <message>
        <source>ffmpeg</source>
        <translation>ffmpeg</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Проверить</translation>
    </message>
    <message>
        <source>Allow scripts and the browser page to control Spool</source>
        <translation>Разрешить сценариям и странице в браузере управлять Spool</translation>
    </message>
    <message>
        <source>Port (on this computer only)</source>
        <translation>Порт (только на этом компьютере)</translation>
    </message>
    <message>
        <source>generated at first start</source>
        <translation>создаётся при первом запуске</translation>
    </message>
    <message>
        <source>Access token</source>
        <translation>Токен доступа</translation>
    </message>
    <message>
        <source>%1 %2 at %3</source>
        <translation>%1 %2 — %3</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Проверка…</translation>
    </message>
    <message>
        <source>The access token must be at least %1 characters long; nothing was saved.</source>
        <translation>Токен доступа должен быть не короче %1 символов; ничего не сохранено.</translation>
    </message>
    <message>
        <source>Sites</source>
        <translation>Сайты</translation>
    </message>
    <message>
        <source>Go gently with sites that ban the hurried (recommended)</source>
        <translation>Бережно обращаться с сайтами, которые блокируют торопливых (рекомендуется)</translation>
    </message>
    <message>
        <source>One site per line: the site, downloads at once, the pause in seconds between two of its downloads (a random time in the range), and the sleep in seconds between yt-dlp&apos;s requests. A rule covers the site&apos;s subdomains.</source>
        <translation>По сайту в строке: сайт, число загрузок одновременно, пауза в секундах между двумя его загрузками (случайное время в диапазоне) и пауза в секундах между запросами yt-dlp. Правило действует и на поддомены сайта.</translation>
    </message>
    <message>
        <source>When a site rate-limits or bot-checks Spool, it pauses for the first time; refused again soon after, for the next; the last repeats.</source>
        <translation>Когда сайт ограничивает частоту или проверяет Spool на бота, он ставится на паузу на первое время; при новом отказе вскоре после — на следующее; последнее повторяется.</translation>
    </message>
    <message>
        <source>Pauses after a refusal (minutes)</source>
        <translation>Паузы после отказа (минуты)</translation>
    </message>
    <message>
        <source> min</source>
        <translation> мин</translation>
    </message>
    <message>
        <source>A site that stayed clean this long after a pause starts again from the first pause.</source>
        <translation>Сайт, который столько времени после паузы не отказывал, снова начинает с первой паузы.</translation>
    </message>
    <message>
        <source>Start over after a clean</source>
        <translation>Начинать заново после спокойных</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a pause: write minutes separated by commas, like &quot;10, 30, 120, 360&quot;</source>
        <translation>«%1» — не пауза: укажите минуты через запятую, например «10, 30, 120, 360»</translation>
    </message>
    <message>
        <source>Nothing was saved: %1</source>
        <translation>Ничего не сохранено: %1</translation>
    </message>
    <message>
        <source>Passed to yt-dlp as --extractor-args, one per line, for jobs of the site named first (or every job without a site). yt-dlp&apos;s documentation lists each extractor&apos;s arguments.</source>
        <translation>Передаются yt-dlp как --extractor-args, по одному в строке, для задач сайта, указанного первым (или для всех задач, если сайт не указан). Аргументы каждого экстрактора перечислены в документации yt-dlp.</translation>
    </message>
    <message>
        <source>Extractor arguments</source>
        <translation>Аргументы экстракторов</translation>
    </message>
    <message>
        <source>A PO token provider&apos;s address (the bgutil HTTP server, with its yt-dlp plugin installed), given to yt-dlp for YouTube; see yt-dlp&apos;s PO token guide.</source>
        <translation>Адрес поставщика PO-токенов (HTTP-сервер bgutil с установленным модулем для yt-dlp), передаётся yt-dlp для YouTube; см. руководство yt-dlp по PO-токенам.</translation>
    </message>
    <message>
        <source>PO token provider</source>
        <translation>Поставщик PO-токенов</translation>
    </message>
    <message>
        <source>&quot;%1&quot; is not a PO token provider&apos;s address: write it as http://host:port</source>
        <translation>«%1» — не адрес поставщика PO-токенов: укажите его в виде http://узел:порт</translation>
    </message>
</context>
<context>
    <name>SingleInstance</name>
    <message>
        <source>cannot create %1</source>
        <translation>не удаётся создать %1</translation>
    </message>
    <message>
        <source>cannot listen on %1: %2</source>
        <translation>не удаётся принимать соединения на %1: %2</translation>
    </message>
    <message>
        <source>the running instance does not answer: %1</source>
        <translation>запущенный экземпляр не отвечает: %1</translation>
    </message>
    <message>
        <source>the running instance did not confirm</source>
        <translation>запущенный экземпляр не подтвердил получение</translation>
    </message>
</context>
<context>
    <name>SubscriptionsDialog</name>
    <message>
        <source>Sync &amp;now</source>
        <translation>Синхронизировать &amp;сейчас</translation>
    </message>
    <message>
        <source>&amp;Unsubscribe</source>
        <translation>&amp;Отписаться</translation>
    </message>
    <message>
        <source>&amp;Set</source>
        <translation>&amp;Задать</translation>
    </message>
    <message>
        <source>Subscriptions</source>
        <translation>Подписки</translation>
    </message>
    <message>
        <source>Channel or playlist</source>
        <translation>Канал или плейлист</translation>
    </message>
    <message>
        <source>Type</source>
        <translation>Тип</translation>
    </message>
    <message>
        <source>Every</source>
        <translation>Интервал</translation>
    </message>
    <message>
        <source>Next check</source>
        <translation>Следующая проверка</translation>
    </message>
    <message>
        <source>Last check</source>
        <translation>Последняя проверка</translation>
    </message>
    <message>
        <source>Nothing is kept in sync yet. Add a channel or playlist with &quot;Re-sync every&quot; set, and Spool checks it for new videos at that interval.</source>
        <translation>Подписок пока нет. Добавьте канал или плейлист с заданным «Обновлять каждые», и Spool будет с этим интервалом проверять, нет ли новых видео.</translation>
    </message>
    <message>
        <source> h</source>
        <translation> ч</translation>
    </message>
    <message>
        <source>Check every</source>
        <translation>Проверять каждые</translation>
    </message>
    <message>
        <source>A sync was added to the queue.</source>
        <translation>Синхронизация добавлена в очередь.</translation>
    </message>
    <message>
        <source>Unsubscribed. Its jobs and downloaded videos stay.</source>
        <translation>Подписка отменена. Её задачи и загруженные видео остаются.</translation>
    </message>
    <message numerus="yes">
        <source>Checked every %n hour(s) from now on.</source>
        <translation>
            <numerusform>Теперь проверяется каждый %n час.</numerusform>
            <numerusform>Теперь проверяется каждые %n часа.</numerusform>
            <numerusform>Теперь проверяется каждые %n часов.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n hour(s)</source>
        <translation>
            <numerusform>%n час</numerusform>
            <numerusform>%n часа</numerusform>
            <numerusform>%n часов</numerusform>
        </translation>
    </message>
    <message>
        <source>—</source>
        <translation>—</translation>
    </message>
    <message numerus="yes">
        <source>%n new video(s)</source>
        <translation>
            <numerusform>%n новое видео</numerusform>
            <numerusform>%n новых видео</numerusform>
            <numerusform>%n новых видео</numerusform>
        </translation>
    </message>
    <message>
        <source>Job %1</source>
        <translation>Задача %1</translation>
    </message>
    <message numerus="yes">
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n минута</numerusform>
            <numerusform>%n минуты</numerusform>
            <numerusform>%n минут</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Throttle</name>
    <message>
        <source>&quot;%1&quot; is not a rule: write the host, downloads at once, the pause in seconds as min-max, and the request sleep, like &quot;youtube.com 2 10-20 0.75&quot;</source>
        <translation>«%1» — не правило: укажите сайт, число загрузок одновременно, паузу в секундах как мин-макс и паузу между запросами, например «youtube.com 2 10-20 0.75»</translation>
    </message>
    <message>
        <source>&quot;%1&quot;: the pause must be min-max with min ≤ max ≤ 3600 s, the request sleep at most 60 s</source>
        <translation>«%1»: пауза задаётся как мин-макс, где мин ≤ макс ≤ 3600 с, пауза между запросами — не больше 60 с</translation>
    </message>
</context>
<context>
    <name>Toolchain</name>
    <message>
        <source>%1 was not found on PATH. %2</source>
        <translation>%1 не найден в PATH. %2</translation>
    </message>
    <message>
        <source>%1 at %2 is missing or not executable. %3</source>
        <translation>%1 по пути %2 отсутствует или не является исполняемым файлом. %3</translation>
    </message>
    <message>
        <source>%1 at %2 does not run (%3). %4</source>
        <translation>%1 по пути %2 не запускается (%3). %4</translation>
    </message>
    <message>
        <source>Install it with &quot;sudo apt install %1&quot;, or set its path in the settings.</source>
        <translation>Установите его командой «sudo apt install %1» или укажите путь к нему в настройках.</translation>
    </message>
    <message>
        <source>No JavaScript runtime for yt-dlp (it needs one for YouTube since 2025.11)%1. Install Deno 2 or newer (deno.com), or Node.js 20 or newer; Debian 12&apos;s nodejs 18 is too old.</source>
        <translation>Нет среды выполнения JavaScript для yt-dlp (она нужна ему для YouTube с версии 2025.11)%1. Установите Deno 2 или новее (deno.com) либо Node.js 20 или новее; nodejs 18 из Debian 12 слишком стар.</translation>
    </message>
    <message>
        <source>; too old: %1</source>
        <translation>; слишком старые: %1</translation>
    </message>
    <message>
        <source>yt-dlp %1 is %2 days old: sites such as YouTube change every week and an old yt-dlp fails there. Update it.</source>
        <translation>yt-dlp %1 вышел %2 дн. назад: сайты вроде YouTube меняются каждую неделю, и старый yt-dlp на них не работает. Обновите его.</translation>
    </message>
</context>
<context>
    <name>ToolsApi</name>
    <message>
        <source>refresh must be 0 or 1</source>
        <translation>refresh должен быть 0 или 1</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <source>Show or hide Spool</source>
        <translation>Показать или скрыть Spool</translation>
    </message>
    <message>
        <source>Pause all</source>
        <translation>Приостановить все</translation>
    </message>
    <message>
        <source>Resume all</source>
        <translation>Возобновить все</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Выход</translation>
    </message>
    <message>
        <source>Spool: %1 running, %2 waiting</source>
        <translation>Spool: выполняется %1, ожидает %2</translation>
    </message>
    <message>
        <source> — %1% overall</source>
        <translation> — всего %1%</translation>
    </message>
    <message>
        <source> (paused)</source>
        <translation> (приостановлено)</translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) completed</source>
        <translation>
            <numerusform>Завершена %n задача</numerusform>
            <numerusform>Завершены %n задачи</numerusform>
            <numerusform>Завершено %n задач</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n job(s) failed</source>
        <translation>
            <numerusform>%n задача завершилась с ошибкой</numerusform>
            <numerusform>%n задачи завершились с ошибкой</numerusform>
            <numerusform>%n задач завершились с ошибкой</numerusform>
        </translation>
    </message>
    <message>
        <source>Spool</source>
        <translation>Spool</translation>
    </message>
    <message>
        <source>Done for now, but the database refused to keep it for the next start.</source>
        <translation>Сделано, но база данных не смогла сохранить это до следующего запуска.</translation>
    </message>
</context>
<context>
    <name>WelcomeDialog</name>
    <message>
        <source>Welcome to Spool</source>
        <translation>Добро пожаловать в Spool</translation>
    </message>
    <message>
        <source>Spool downloads videos, playlists and whole channels. Every download is a job in a queue kept on disk: it survives restarts, retries network failures by itself and keeps a log you can read. Add links with the Add button, by pasting them or by dropping them on the window.</source>
        <translation>Spool скачивает видео, плейлисты и целые каналы. Каждая загрузка — это задача в очереди, которая хранится на диске: она переживает перезапуски, сама повторяет попытки при сбоях сети и ведёт журнал, который можно прочитать. Добавляйте ссылки кнопкой «Добавить», вставкой из буфера обмена или перетаскиванием в окно.</translation>
    </message>
    <message>
        <source>&amp;Get started</source>
        <translation>&amp;Начать работу</translation>
    </message>
    <message>
        <source>You can open this welcome again from Help ▸ Welcome.</source>
        <translation>Это приветствие можно снова открыть через меню «Справка ▸ Приветствие».</translation>
    </message>
    <message>
        <source>Downloads</source>
        <translation>Загрузки</translation>
    </message>
    <message>
        <source>Spool saves what it downloads in this folder:</source>
        <translation>Spool сохраняет загруженное в эту папку:</translation>
    </message>
    <message>
        <source>&amp;Choose…</source>
        <translation>&amp;Выбрать…</translation>
    </message>
    <message>
        <source>You can change it later in Settings. The queue, the logs of every job and the settings are kept in %1.</source>
        <translation>Её можно изменить позже в настройках. Очередь, журналы всех задач и настройки хранятся в %1.</translation>
    </message>
    <message>
        <source>Tools</source>
        <translation>Инструменты</translation>
    </message>
    <message>
        <source>Spool uses yt-dlp to download and ffmpeg to join video and audio.</source>
        <translation>Spool использует yt-dlp для загрузки, а ffmpeg — для объединения видео и звука.</translation>
    </message>
    <message>
        <source>Check &amp;again</source>
        <translation>&amp;Проверить снова</translation>
    </message>
    <message>
        <source>Checking %1…</source>
        <translation>Проверка %1…</translation>
    </message>
    <message>
        <source>%1 %2 is ready (%3).</source>
        <translation>%1 %2 готов к работе (%3).</translation>
    </message>
    <message>
        <source>%1 at %2 does not run.</source>
        <translation>%1 в %2 не запускается.</translation>
    </message>
    <message>
        <source>%1 is not installed.</source>
        <translation>%1 не установлен.</translation>
    </message>
    <message>
        <source>%1 was not found at %2.</source>
        <translation>%1 не найден в %2.</translation>
    </message>
    <message>
        <source>Download folder</source>
        <translation>Папка загрузок</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Warning: %1</source>
        <translation>Предупреждение: %1</translation>
    </message>
    <message>
        <source>Not added: %1: %2</source>
        <translation>Не добавлено: %1: %2</translation>
    </message>
    <message>
        <source>cannot write %1</source>
        <translation>не удаётся записать %1</translation>
    </message>
    <message>
        <source>Spool is already running for %1, but %2.</source>
        <translation>Spool уже запущен для %1, но %2.</translation>
    </message>
    <message>
        <source>Spool is already running for %1.</source>
        <translation>Spool уже запущен для %1.</translation>
    </message>
    <message numerus="yes">
        <source>Spool is already running for %1; handed it %n URL(s).</source>
        <translation>
            <numerusform>Spool уже запущен для %1; ему передана %n ссылка.</numerusform>
            <numerusform>Spool уже запущен для %1; ему переданы %n ссылки.</numerusform>
            <numerusform>Spool уже запущен для %1; ему передано %n ссылок.</numerusform>
        </translation>
    </message>
    <message>
        <source>Spool cannot start: %1</source>
        <translation>Не удаётся запустить Spool: %1</translation>
    </message>
    <message>
        <source>The HTTP API cannot start: %1</source>
        <translation>Не удаётся запустить HTTP API: %1</translation>
    </message>
    <message>
        <source>The queue is paused: no job starts until it is resumed (spool resume-queue, or Pause queue in the window).</source>
        <translation>Очередь приостановлена: ни одна задача не запустится, пока её не возобновят (spool resume-queue или «Приостановить очередь» в окне).</translation>
    </message>
    <message>
        <source>Shared queue %1; this host is &quot;%2&quot;.</source>
        <translation>Общая очередь %1; этот узел — «%2».</translation>
    </message>
    <message>
        <source>--workers 0 is for a host that monitors a shared queue (with --database): on its own queue Spool must run jobs; to hold them, pause the queue.</source>
        <translation>--workers 0 — для узла, который наблюдает за общей очередью (с --database): со своей очередью Spool должен выполнять задачи; чтобы придержать их, приостановите очередь.</translation>
    </message>
    <message>
        <source>This host runs no jobs (--workers 0): it monitors and controls the shared queue; the other hosts run the jobs.</source>
        <translation>Этот узел не выполняет задач (--workers 0): он наблюдает за общей очередью и управляет ею; задачи выполняют другие узлы.</translation>
    </message>
    <message>
        <source>The HTTP API listens on %1, beyond this machine: anyone on the network can reach it, and its token travels in clear text. Use it only on a network you trust.</source>
        <translation>HTTP API принимает запросы на %1, за пределами этой машины: до него может достучаться любой в сети, а токен передаётся открытым текстом. Используйте это только в сети, которой доверяете.</translation>
    </message>
    <message>
        <source>the API would listen on %1, beyond this machine: give it a token of at least %2 characters ([api] token in settings.ini, or --api-token)</source>
        <translation>API принимал бы запросы на %1, за пределами этой машины: задайте ему токен не короче %2 символов ([api] token в settings.ini или --api-token)</translation>
    </message>
    <message>
        <source>the API token must be at least %1 characters long</source>
        <translation>токен API должен быть не короче %1 символов</translation>
    </message>
    <message>
        <source>Warning: --api-token is visible to every local user in the process list; give it with --api-token-file or SPOOL_API_TOKEN instead.</source>
        <translation>Внимание: --api-token виден всем локальным пользователям в списке процессов; задайте его через --api-token-file или SPOOL_API_TOKEN.</translation>
    </message>
    <message>
        <source>Port %1 is in use (by another program, or the Spool of another data dir): the HTTP API listens on port %2 instead (the command line finds it in %3).</source>
        <translation>Порт %1 занят (другой программой или Spool другого каталога данных): HTTP API принимает запросы на порту %2 (командная строка найдёт его в %3).</translation>
    </message>
</context>
</TS>
