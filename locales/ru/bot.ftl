## Меню и навигация

welcome =
    Привет, { $name }! Здесь можно купить подписчиков, лайки, просмотры и многое другое для ваших соцсетей.
    Выберите услугу, отправьте ссылку и оплатите с баланса — остальное мы сделаем сами и будем держать вас в курсе.
menu = Что вы хотите сделать?
help =
    <b>Как это работает</b>
    1. Пополните баланс: нажмите <b>Баланс</b>, затем <b>Пополнить</b>.
    2. Нажмите <b>Новый заказ</b> и выберите категорию и услугу.
    3. Отправьте ссылку и количество (и всё остальное, что спросит услуга).
    4. Проверьте цену и подтвердите: заказ оплачивается с баланса.
    Мы сообщим, когда заказ запустится и когда он будет выполнен.

    Чтобы найти услугу в каталоге, напишите слово (например, <i>instagram</i>).

    /start — главное меню
    /search слово — найти услугу
    /language — сменить язык
    /support — написать в поддержку
    /cancel — прервать текущее действие
    /help — эта справка
hint = Напишите слово для поиска по каталогу или выберите действие ниже.
unknown-command = Такой команды я не знаю. Вот меню:
not-available = Это больше недоступно.
page = { $page }/{ $pages }
sandbox-banner = 🧪 ТЕСТОВЫЙ РЕЖИМ — реальные заказы и платежи не проводятся.
error-generic = Что-то пошло не так на нашей стороне. Попробуйте ещё раз чуть позже.

btn-new-order = 🛒 Новый заказ
btn-my-orders = 📦 Мои заказы
btn-balance = 💰 Баланс
btn-language = 🌐 Язык
btn-help = ❓ Помощь
btn-invite = 🤝 Пригласить друзей
btn-support = 💬 Поддержка
btn-share = 📤 Поделиться ссылкой
btn-home = 🏠 Меню
btn-back = ‹ Назад
btn-catalog = 📂 Каталог
btn-cancel = ✖ Отмена
btn-skip = Пропустить ›
btn-order = 🛒 Заказать
btn-confirm = ✅ Подтвердить и оплатить
btn-top-up = 💰 Пополнить
btn-promo = 🎟 Промокод
btn-view-order = 📦 Открыть заказ
btn-refill = 🔄 Запросить рефилл
btn-cancel-order = ✖ Отменить заказ
btn-refresh = 🔃 Обновить
btn-ask-order = 💬 Вопрос по заказу

## Язык

language-choose = Выберите язык:
language-en = English
language-tr = Türkçe
language-ru = Русский
language-set = Язык переключён на русский.

## Каталог

catalog = Выберите категорию:
catalog-empty = Каталог пока пуст. Загляните чуть позже.
category =
    <b>{ $name }</b>

    { $services }
service-line = <b>#{ $id }</b> { $name } — { $price } · { $min }–{ $max } { $badges }
price-per-1000 = { $price } за 1000
price-per-package = { $price } за пакет
badge-refill = 🔄 Рефилл
badge-cancel = ✖ Отмена
badge-dripfeed = 💧 Drip-feed
service-card =
    <b>{ $name }</b>
    Услуга #{ $id } · { $category }

    Цена: { $price }
    Объём заказа: от { $min } до { $max }
    { $badges }
    { $sellable ->
        [true] Нажмите <b>Заказать</b>, чтобы начать.
       *[false] Эту услугу нельзя заказать через бота.
    }
search-usage = Напишите /search и слово, например: /search instagram followers
search-too-short = Для поиска введите хотя бы две буквы.
search-expired = Этот поиск устарел. Введите запрос ещё раз.
search-none = По запросу «{ $query }» ничего не нашлось. Попробуйте другое слово или загляните в каталог.
search-results =
    { $count ->
        [one] По запросу «{ $query }» нашлась { $count } услуга:
        [few] По запросу «{ $query }» нашлись { $count } услуги:
        [many] По запросу «{ $query }» нашлось { $count } услуг:
       *[other] По запросу «{ $query }» нашлось { $count } услуги:
    }

    { $services }

## Оформление заказа

ask-link = Отправьте <b>ссылку</b> для «{ $name }» — она начинается с https://.
ask-quantity = Сколько нужно? Отправьте целое число от <b>{ $min }</b> до <b>{ $max }</b>.
ask-runs = Drip-feed: на сколько <b>частей</b> разбить заказ? Отправьте число (от 2) или нажмите «Пропустить», чтобы получить всё сразу.
ask-interval = Сколько <b>минут</b> между частями? Отправьте число от 1 до 1440.
ask-keywords = Отправьте <b>ключевые слова</b>, каждое с новой строки.
ask-comments = Отправьте <b>комментарии</b>, каждый с новой строки (от { $min } до { $max } строк).
ask-usernames = Отправьте <b>имена пользователей</b>, каждое с новой строки.
ask-hashtags = Отправьте <b>хештеги</b>, каждый с новой строки.
ask-hashtag = Отправьте <b>хештег</b>, например #путешествия.
ask-username = Отправьте <b>имя пользователя</b> (например, @name) или ссылку на профиль.
ask-media = Отправьте <b>ссылку на пост</b>: упомянуты будут пользователи, которые его лайкнули.
ask-answer_number = За какой <b>вариант ответа</b> в опросе голосовать? Отправьте его номер (1 — первый вариант).
ask-groups = Отправьте <b>группы</b>, из которых приглашать участников, каждую с новой строки.
ask-min = Подписка: отправьте <b>минимальное</b> количество на пост — число от { $min } до { $max }.
ask-max = Отправьте <b>максимальное</b> количество на пост — число не меньше минимального и не больше { $max }.
ask-posts = На сколько <b>новых постов</b> оформить подписку? Отправьте число.
ask-old_posts = Сколько <b>уже опубликованных постов</b> тоже обработать? Отправьте число или нажмите «Пропустить».
ask-delay = Сколько <b>ждать</b> после публикации поста? Выберите задержку в минутах ниже.
ask-expiry = Должна ли подписка <b>закончиться</b> в определённый день? Отправьте дату в формате ДД.ММ.ГГГГ (например, 31.12.2026) или нажмите «Пропустить».

field-link = Ссылка
field-quantity = Количество
field-runs = Количество частей
field-interval = Интервал (мин)
field-keywords = Ключевые слова
field-comments = Комментарии
field-usernames = Имена пользователей
field-hashtags = Хештеги
field-hashtag = Хештег
field-username = Имя пользователя
field-media = Пост
field-answer_number = Номер варианта
field-groups = Группы
field-min = Минимум на пост
field-max = Максимум на пост
field-posts = Новые посты
field-old_posts = Старые посты
field-delay = Задержка (мин)
field-expiry = Дата окончания

error-number = Отправьте целое число, только цифрами.
error-range = Число вне допустимого диапазона: отправьте число от { $min } до { $max }.
error-too-long = Слишком длинное сообщение: можно не больше { $max } { $max ->
        [one] символа
       *[other] символов
    }.
error-link = Это не похоже на ссылку. Отправьте полный адрес, начинающийся с https://
error-username = Это не похоже на имя пользователя. Отправьте его в виде @name или ссылкой на профиль.
error-hashtag = Хештег — это одно слово из букв, цифр или _, например #путешествия.
error-lines-empty = Отправьте хотя бы одну строку текста.
error-lines-count =
    { $count ->
        [one] Вы отправили { $count } строку,
        [few] Вы отправили { $count } строки,
        [many] Вы отправили { $count } строк,
       *[other] Вы отправили { $count } строки,
    } а для этой услуги нужно от { $min } до { $max }. Отправьте список ещё раз.
error-delay = Выберите одну из задержек на кнопках.
error-date = Отправьте существующую дату в формате ДД.ММ.ГГГГ, например 31.12.2026.
error-date-past = Эта дата уже прошла. Укажите дату в будущем.
error-max-below-min = Максимальное количество не может быть меньше минимального ({ $min }).
error-runs-impossible = Такое количество слишком велико, чтобы разбить его на части. Нажмите «Пропустить», чтобы получить всё сразу.
error-not-text = Пожалуйста, ответьте текстовым сообщением.

use-buttons = Воспользуйтесь кнопками под сводкой: подтвердить, вернуться назад или отменить.
cancelled = Отменено. Деньги не списаны.
nothing-to-cancel = Отменять нечего.
service-gone = Эта услуга больше недоступна. Выберите другую.
summary-field = <b>{ $field }:</b> { $value }
summary-price-discounted = { $before }
    <b>Промокод { $code }:</b> −{ $discount }{ $capped ->
        [true] {" "}(максимальная скидка для этого заказа)
       *[false] {""}
    }
    <b>К оплате:</b> { $price }
summary =
    <b>Проверьте заказ</b>

    <b>Услуга:</b> { $name }
    { $fields }
    <b>Единиц к оплате:</b> { $quantity }

    <b>Цена:</b> { $price }
    <b>Ваш баланс:</b> { $balance }
    { $enough ->
        [true] <b>Баланс после оплаты:</b> { $after }
       *[false] На балансе недостаточно средств для этого заказа. Пополните баланс и возвращайтесь.
    }
confirm-stale = Эта сводка уже использована или устарела.
order-changed-price = ⚠️ Цена изменилась после того, как вы увидели сводку: было { $old }, стало { $new }. Деньги не списаны. Проверьте заказ и подтвердите ещё раз.
order-changed-service = ⚠️ Эта услуга изменилась после того, как вы увидели сводку, поэтому часть ответов нужна заново. Деньги не списаны.
order-changed-discount = ⚠️ Скидка по промокоду изменилась после того, как вы увидели сводку. Деньги не списаны. Проверьте заказ и подтвердите ещё раз.
placing = Оформляем заказ…

order-placed = ✅ Заказ <b>#{ $order }</b> оформлен. Мы напишем, когда он запустится и когда будет выполнен.
order-unknown = ⏳ Заказ <b>#{ $order }</b> проверяется у поставщика. Ваши деньги в безопасности: скоро мы подтвердим заказ или вернём средства.
order-no-funds = На балансе недостаточно средств для этого заказа. Деньги не списаны. Пополните баланс и попробуйте снова.
order-duplicate = ✅ Заказ <b>#{ $order }</b> по этой сводке уже оформлен.
order-unavailable = Эту услугу сейчас нельзя заказать. Деньги не списаны.
order-failed = ❌ Не удалось оформить заказ <b>#{ $order }</b>: { $reason } Деньги возвращены на баланс.

reason-auth = магазин сейчас не может передавать заказы поставщику; мы уже в курсе.
reason-funds = магазин сейчас не может передавать заказы поставщику; мы уже в курсе.
reason-quantity = такое количество для этой услуги не принимается.
reason-link = ссылку не приняли. Проверьте, что страница открыта для всех и ссылка верная.
reason-service = эта услуга сейчас недоступна.
reason-order_id = заказ не найден.
reason-other = поставщик не указал причину.
reason-unreachable = поставщик не ответил.
reason-unknown = нам не удалось получить ответ от поставщика.

## Мои заказы

orders =
    { $count ->
        [one] У вас { $count } заказ:
        [few] У вас { $count } заказа:
        [many] У вас { $count } заказов:
       *[other] У вас { $count } заказа:
    }
orders-empty = У вас пока нет заказов. Нажмите «Новый заказ», чтобы сделать первый.
order-button = #{ $order } { $service } · { $status }
order-card =
    <b>Заказ #{ $order }</b>
    { $service }
    <b>Ссылка:</b> { $link }
    { $fields }
    <b>Цена:</b> { $price }
    <b>Статус:</b> { $state }
    <b>На старте:</b> { $start_count } · <b>Осталось:</b> { $remains }
    <b>Оформлен:</b> { $created }
    { $cancel_requested ->
        [true] Запрошена отмена.
       *[false] {""}
    }
    { $refills }
refill-line = Рефилл #{ $refill }: { $status }
# What a refill's status at the panel means, in the customer's words.
refill-status-pending = запрошен
refill-status-in-progress = выполняется
refill-status-completed = выполнен
refill-status-rejected = отклонён поставщиком
refill-status-canceled = отменён
refill-status-failed = не выполнен
refill-status-other = уточняется у поставщика

state-submitting = ⏳ Оформляется
state-active = 🔵 В работе
state-unknown = ⏳ Проверяется
state-review = 🔍 Проверяется нашей командой
state-failed = ❌ Ошибка (деньги возвращены)
state-completed = ✅ Выполнен
state-partial = 🟡 Выполнен частично (часть денег возвращена)
state-canceled = ✖ Отменён (деньги возвращены)
state-refunded = ↩ Деньги возвращены
# The same states, short enough for an order's button in the list.
state-submitting-short = ⏳ Оформляется
state-active-short = 🔵 В работе
state-unknown-short = ⏳ Проверяется
state-review-short = 🔍 Проверяется
state-failed-short = ❌ Ошибка
state-completed-short = ✅ Выполнен
state-partial-short = 🟡 Частично
state-canceled-short = ✖ Отменён
state-refunded-short = ↩ Возврат

refill-requested = Рефилл запрошен. Сообщим, когда он будет выполнен.
refill-refused = Поставщик отказал в рефилле: { $reason }
refill-error = Сейчас не удалось запросить рефилл. Попробуйте позже.
cancel-requested = Отмена запрошена. Если поставщик отменит заказ, деньги вернутся на баланс.
cancel-refused = Поставщик отказал в отмене: { $reason }
cancel-error = Сейчас не удалось запросить отмену. Попробуйте позже.

## Поддержка

support-write = Напишите сообщение в поддержку: текст или фото с подписью. Мы ответим прямо здесь.
support-write-order = Напишите вопрос по заказу #{ $order }: текст или фото с подписью. Мы ответим прямо здесь.
support-sent = ✉ Отправлено в поддержку. Мы ответим здесь, а пока можно писать дальше.
support-too-fast = Вы пишете слишком часто: можно не больше { $limit } { $limit ->
        [one] сообщения
       *[other] сообщений
    } в минуту. Подождите немного и отправьте ещё раз.
support-only-text-photo = Пришлите, пожалуйста, текст или фото с подписью.
support-reply-closed = Это обращение уже закрыто. Чтобы написать снова, нажмите «Поддержка» в меню.
btn-support-reply = ↩ Ответить
btn-support-close = ✅ Закрыть
# To the customer, drawn in their language by the sender.
support-answer =
    💬 <b>Поддержка</b>

    { $text }
support-closed = Ваше обращение #{ $ticket } в поддержку закрыто. Если понадобится что-то ещё, нажмите «Поддержка» в меню.
# To every admin, above each customer message.
support-to-admin =
    💬 <b>Обращение #{ $ticket }</b> от { $who }
    ID <code>{ $user }</code> · язык { $language } · баланс { $balance }
    { $context }

    { $text }
support-admin-order = #{ $order } { $service } · { $state } · { $charge }
support-admin-no-orders = Заказов пока нет.
support-admin-about = <b>По заказу #{ $order }</b> (у поставщика { $upstream }): { $line }
support-answer-prompt = Напишите ответ на обращение #{ $ticket }: текст или фото с подписью.
support-answer-sent = Ответ отправлен (обращение #{ $ticket }).
support-ticket-closed = Обращение #{ $ticket } закрыто: ничего не отправлено.
support-ticket-missing = Обращения #{ $ticket } нет.
support-closed-done = Обращение #{ $ticket } закрыто, покупатель уведомлён.
support-ticket-already-closed = Обращение #{ $ticket } уже было закрыто.
support-close-usage = Чтобы закрыть обращение, ответьте /close на сообщение покупателя.
support-tickets =
    <b>Открытые обращения ({ $count })</b>, сначала самые старые:
    { $lines }
support-tickets-line = #{ $ticket } · { $name } (<code>{ $user }</code>) · с { $opened } · сообщений: { $messages } · { $last }
support-tickets-none = Открытых обращений нет.

## Баланс

balance =
    <b>Ваш баланс:</b> { $balance }

    { $movements }
balance-empty = Операций пока нет.
movement = { $time } · { $amount } · { $kind }
kind-order = заказ #{ $order }
kind-refund = возврат по заказу #{ $order }
kind-topup = пополнение
kind-admin = корректировка баланса
kind-referral = награда за заказ друга
invite =
    <b>Пригласить друзей</b>
    Поделитесь своей личной ссылкой. Когда друг откроет магазин по ней, вы будете получать { $percent }% от суммы, которую он платит за каждый выполненный заказ, прямо на баланс.

    { $link }

    <b>Приглашено друзей:</b> { $invited }
    <b>Заработано всего:</b> { $earned }
    <b>Последние награды:</b>
    { $last }
invite-off =
    <b>Пригласить друзей</b>
    Поделитесь своей личной ссылкой: друзья, открывшие магазин по ней, засчитываются как приглашённые вами. Награды за приглашения сейчас приостановлены.

    { $link }

    <b>Приглашено друзей:</b> { $invited }
    <b>Заработано всего:</b> { $earned }
    <b>Последние награды:</b>
    { $last }
invite-earning = { $time } · +{ $amount }
invite-no-earnings = пока нет
invite-share = Загляни в этот магазин подписчиков, лайков и просмотров
kind-promo = промокод
promo-ask = Отправьте ваш промокод.
promo-not-text = Пожалуйста, отправьте код текстом.
promo-gift = 🎁 Промокод <b>{ $code }</b>: на ваш баланс зачислено { $amount }.
promo-discount = 🏷 Промокод <b>{ $code }</b> даёт скидку { $amount }% на следующий заказ. Вы увидите её в сводке заказа.
promo-unknown = Такого промокода нет. Проверьте его и отправьте ещё раз.
promo-expired = Срок действия промокода <b>{ $code }</b> истёк.
promo-used-up = Лимит активаций промокода <b>{ $code }</b> исчерпан.
promo-already = Вы уже использовали промокод <b>{ $code }</b>.
promo-not-new = Промокод <b>{ $code }</b> только для новых покупателей.

## Уведомления администратору

admin-below-cost = ⚠ Услуга { $service } ({ $name }) продавалась бы за { $charge } { $currency } — ниже себестоимости ({ $cost } { $currency }). Заказы на неё не принимаются, пока не исправлена наценка.
admin-panel-problem = ⚠ Панель { $panel } отклонила заказ #{ $order }: { $reason }. Проверьте API-ключ и баланс этой панели.
admin-order-unknown = ⚠ Заказ #{ $order } (пользователь { $user }): ответ панели на новый заказ потерян. Проверьте заказ в панели и закройте его через /review.
admin-order-late-answer = ⚠ Заказ #{ $order }: панель ответила на новый заказ с опозданием ({ $answer }), когда он уже был закрыт как { $state }. Ничего не изменено: проверьте заказ в панели и, если он там выполняется, привяжите его через /review.

## Ограничения для всех, кроме админов

banned = Ваш доступ к магазину приостановлен. Если вы считаете, что это ошибка, свяжитесь с владельцем магазина.
maintenance = В магазине сейчас идут технические работы. Загляните чуть позже — ваш баланс и заказы в сохранности.

## Сообщения покупателю после действий владельца

notice-credited = 💰 На ваш баланс зачислено { $amount }. { $reason }
notice-debited = С вашего баланса списано { $amount }. { $reason }
notice-order-confirmed = ✅ Заказ #{ $order } подтверждён поставщиком и уже в работе.
notice-order-refunded = ↩ Заказ #{ $order } не удалось оформить. Сумма { $refund } возвращена на ваш баланс.
notice-order-recharged = ✅ Оказалось, что заказ #{ $order } всё-таки выполняется у поставщика, поэтому его стоимость { $amount } снова списана с вашего баланса. Мы напишем, когда он будет выполнен.

## Панель владельца

admin-health =
    <b>Состояние</b>
    Последний успешный опрос статусов: { $poll }
    Последняя синхронизация каталога: { $sync }
    Последняя сверка Stars: { $stars }
    Сообщений ждут отправки: { $backlog }
    Фоновые задачи выполняет: { $poller }
admin-health-never = ни разу
admin-health-lease-here = этот процесс ({ $holder })
admin-health-lease-other = другой процесс ({ $holder })
admin-health-lease-none = никто (опроса нет: бот запущен?)
admin-help-admin = /admin — этот список
admin-help-stats = /stats [дни] — пользователи, заказы, выручка, себестоимость и маржа, с графиком за последние 30 дней (или за сколько попросите)
admin-help-export = /export orders|ledger [дни], /export users — CSV-файл для таблицы
admin-help-panel = /panel — баланс каждой панели
admin-help-user = /user &lt;id|@username&gt; — профиль покупателя
admin-help-credit = /credit &lt;пользователь&gt; &lt;сумма&gt; [причина] — зачислить на баланс
admin-help-debit = /debit &lt;пользователь&gt; &lt;сумма&gt; [причина] — списать с баланса
admin-help-ban = /ban &lt;пользователь&gt; — забанить покупателя
admin-help-unban = /unban &lt;пользователь&gt; — снять бан
admin-help-order = /order &lt;id&gt; — заказ с данными из панели
admin-help-review = /review — заказы, ожидающие решения; /review &lt;номер заказа&gt; — закрыть любой открытый заказ
admin-help-markup = /markup &lt;процент&gt; [category &lt;название&gt; | service &lt;панель:id&gt; | panel &lt;имя&gt;] — задать наценку
admin-help-hide = /hide service &lt;панель:id&gt; | category &lt;название&gt; | panel &lt;имя&gt; — снять с продажи
admin-help-show = /show service &lt;панель:id&gt; | category &lt;название&gt; | panel &lt;имя&gt; — вернуть в продажу
admin-help-sync = /sync — синхронизировать каталоги всех панелей прямо сейчас
admin-help-broadcast = /broadcast — отправьте в ответ на сообщение, чтобы разослать его всем покупателям
admin-help-maintenance = /maintenance on|off — закрыть или открыть магазин для покупателей
admin-help-tickets = /tickets — открытые обращения в поддержку, сначала самые старые
admin-help-close = /close — ответьте им на сообщение покупателя, чтобы закрыть обращение

admin-usage-user = Формат: /user &lt;id|@username&gt;
admin-usage-credit = Формат: /credit &lt;id пользователя|@username&gt; &lt;сумма&gt; [причина]
admin-usage-debit = Формат: /debit &lt;id пользователя|@username&gt; &lt;сумма&gt; [причина]
admin-usage-ban = Формат: /ban &lt;id пользователя|@username&gt;
admin-usage-stats = Формат: /stats [дни], от 1 до { $most }
admin-usage-unban = Формат: /unban &lt;id пользователя|@username&gt;
admin-usage-order = Формат: /order &lt;номер заказа&gt;
admin-usage-export = Формат: /export orders [дни], /export ledger [дни] или /export users (дни от { $low } до { $high })
admin-export-orders = Заказы
admin-export-ledger = Движения по балансам
admin-export-users = Пользователи
admin-export-caption = { $what }{ $days ->
        [0] {""}
       *[other] {" "}за последние { $days } { $days ->
            [one] день
            [few] дня
           *[other] дней
        }
    }: { $rows } { $rows ->
        [one] строка
        [few] строки
       *[other] строк
    }{ $parts ->
        [1] {""}
       *[other] , часть { $part } из { $parts }
    }
admin-usage-review = Формат: /review или /review &lt;номер заказа&gt;
admin-usage-markup = Формат: /markup &lt;процент&gt; [category &lt;название&gt; | service &lt;панель:id&gt; | panel &lt;имя&gt;] (от -99 до 10000). Услуга пишется как main:101; просто 101 — услуга основной панели.
admin-usage-hide = Формат: /hide или /show, затем service &lt;панель:id&gt; (например, main:101), category &lt;название&gt; или panel &lt;имя&gt;
admin-usage-maintenance = Формат: /maintenance on|off
admin-no-user = Такого пользователя нет.
admin-ambiguous-user = С именем { $username } сохранено несколько пользователей (у старого аккаунта осталось это имя): { $ids }. Укажите вместо него числовой id.
admin-no-order = Такого заказа нет.

admin-stats =
    <b>Пользователи:</b> { $users } · активны за 7 дней: { $active } · заблокировали бота: { $blocked } · забанены: { $banned }
    <b>На балансах:</b> { $balances }
    <b>Заказы по статусам:</b> { $states }

    { $periods }

    { $panels }
admin-stats-period = <b>{ $period }:</b> заказов: { $orders } · выручка: { $revenue } · себестоимость: { $cost } · маржа: { $margin } · награды за приглашения: { $referrals }
period-today = Сегодня
period-7d = За 7 дней
period-30d = За 30 дней
admin-stats-chart = { $days ->
    [one] За последний { $days } день
    [few] За последние { $days } дня
   *[other] За последние { $days } дней
}
chart-money-title = Выручка, себестоимость и маржа по дням ({ $currency })
chart-orders-title = Заказы по дням
chart-revenue = Выручка
chart-cost = Себестоимость
chart-margin = Маржа
chart-orders = Заказы
digest =
    <b>Вчера, { $day }</b>
    Заказы: { $orders } · выручка { $revenue } · себестоимость { $cost } · маржа { $margin }
    { $panel }
    Ждут решения в /review: { $waiting }
    <b>Лучшие услуги:</b>
    { $top }
digest-panel = Баланс панели { $panel }: { $balance }
digest-panel-error = Баланс панели { $panel }: неизвестен, панель не ответила
digest-top-line = { $name }: { $orders } · { $revenue }
digest-top-none = заказов не было
admin-panel = Панель { $panel }: <b>{ $balance }</b>
admin-panel-error = Панель { $panel } ответила некорректно: { $error }
admin-user =
    <b>Пользователь { $id }</b> · { $name } · { $username }
    Баланс: { $balance } · заказов: { $orders }
    { $banned ->
        [true] Забанен
       *[false] Не забанен
    } · { $blocked ->
        [true] заблокировал бота
       *[false] бот может писать
    } · был в сети: { $seen }
    { $recent }
admin-order-line = #{ $order } { $service } · { $state } · { $charge }
admin-user-referral = Пригласил: { $referrer } · пригласил сам: { $invited } · награды за приглашения: { $earned }
admin-user-no-referrer = никто
admin-adjusted = Готово. Баланс пользователя { $id }: { $balance }.
admin-adjust-replayed = Эта команда уже была выполнена. Баланс пользователя { $id }: { $balance }.
admin-debit-too-big = На балансе ({ $balance }) не хватает средств для такого списания. Ничего не изменено.
admin-banned = Пользователь { $id } забанен.
admin-unbanned = Пользователь { $id } разбанен.
admin-order =
    <b>Заказ #{ $order }</b> · пользователь { $user }
    Услуга { $panel }:{ $service_id } { $service }{ $backup }
    Статус: { $state } · статус в панели: { $status }
    ID в панели: { $upstream } · списано панелью: { $upstream_charge } · ожидаемая себестоимость: { $cost }
    Наша цена: { $charge } · количество: { $quantity } · осталось: { $remains }
    Оформлен: { $created }
    { $fields }
    Ответ панели: { $error }
admin-review-empty = Нет заказов, ожидающих решения.
admin-btn-attach = 🔗 Привязать ID из панели
admin-btn-refund = ↩ Не оформлен: вернуть деньги
admin-ask-upstream = Отправьте номер заказа в панели для заказа #{ $order } (только цифры) или /cancel.
admin-btn-completed = ✅ Выполнен: без возврата
admin-btn-refunded = ↩ Не выполнен: вернуть всё
admin-btn-partial = ½ Частично: вернуть сумму
admin-btn-resume = 🔄 Снова отслеживать
admin-ask-refund = Отправьте сумму возврата по заказу #{ $order } (например, 1.50) или /cancel.
admin-settled-done = Заказ #{ $order } закрыт, покупатель уведомлён.
admin-settled-not_unknown = Заказ #{ $order } не ждёт решения (уже закрыт?).
admin-settled-id_taken = Этот ID из панели уже привязан к другому заказу. Ничего не изменено.
admin-settled-not_open = По заказу #{ $order } нечего решать: он уже закрыт или ещё оформляется.
admin-settled-too_much = Это больше стоимости заказа #{ $order }. Ничего не изменено.
admin-settled-shortfall = Чтобы снова отслеживать заказ #{ $order }, с покупателя нужно снова списать { $charge }, а на его балансе { $balance }. Ничего не изменено: пополните ему баланс или закройте заказ иначе.
admin-settled-recharged = Заказ #{ $order } снова отслеживается; с покупателя снова списано { $charge }, он уведомлён.
admin-settled-discount_spent = Заказ #{ $order } вернул свою скидку по промокоду, когда не был оформлен, и с тех пор её использовал другой заказ: привязка дала бы покупателю скидку дважды. Ничего не изменено: решите вопрос иначе (например, через /debit).
admin-markup-set = Наценка для { $target } теперь { $percent }%.
admin-markup-global = Общая наценка магазина теперь { $percent }%.
admin-usage-referral = Формат: /referral &lt;процент&gt; (от 0 до { $high }; 0 выключает награды)
admin-referral-set = Награда за приглашения теперь { $percent }% от суммы, которую приглашённые клиенты платят за заказы.
admin-referral =
    <b>Награда за приглашения:</b> { $percent }% (0 — выключено)
    <b>Лучшие пригласившие:</b>
    { $top }
admin-referrer-line = { $name } ({ $id }) · приглашено: { $invited } · заработано: { $earned }
admin-referral-none = пока никто никого не пригласил
admin-hidden = { $target }: скрыто от покупателей.
admin-shown = { $target }: снова в продаже.
admin-synced = Панель { $panel } синхронизирована. Новых: { $added }, изменённых: { $changed }, удалённых: { $removed }, всего: { $total }.
admin-maintenance-on = Техработы ВКЛЮЧЕНЫ: покупатели видят уведомление, админы продолжают работать.
admin-maintenance-off = Техработы ВЫКЛЮЧЕНЫ: магазин открыт.

## Меню команд

cmd-start = Главное меню
cmd-search = Найти услугу
cmd-language = Сменить язык
cmd-cancel = Прервать текущее действие
cmd-help = Как работает магазин
cmd-support = Написать в поддержку
cmd-promo = Активировать промокод
cmd-admin = Команды администратора
cmd-stats = Статистика магазина
cmd-export = Выгрузить заказы, операции или пользователей в CSV
cmd-review = Заказы, ожидающие решения
cmd-user = Найти покупателя
cmd-order = Найти заказ
cmd-panel = Баланс панели
cmd-broadcast = Рассылка всем покупателям
cmd-maintenance = Закрыть или открыть магазин
cmd-tickets = Открытые обращения в поддержку
cmd-close = Закрыть обращение (ответом)
cmd-referral = Награда за приглашения и лучшие пригласившие
admin-panel-low = ⚠ Баланс панели { $panel } — { $balance } { $currency }, это ниже порога уведомления ({ $threshold } { $currency }). Пополните его, чтобы заказы не останавливались.

## Рассылки

broadcast-usage = Ответьте командой /broadcast на сообщение (текст или фото с подписью), чтобы разослать его всем покупателям.
broadcast-confirm =
    { $count ->
        [one] Отправить сообщение выше { $count } покупателю?
        [few] Отправить сообщение выше { $count } покупателям?
        [many] Отправить сообщение выше { $count } покупателям?
       *[other] Отправить сообщение выше { $count } покупателям?
    }
btn-broadcast-send = 📣 Отправить
btn-stop-broadcast = ⏹ Остановить
broadcast-progress = 📣 Идёт отправка… отправлено: { $sent }, заблокировали бота: { $blocked }, ошибок: { $failed }, в очереди: { $pending } (осталось около { $seconds } сек.).
broadcast-done = ✅ Рассылка завершена. Отправлено: { $sent }, заблокировали бота: { $blocked }, ошибок: { $failed }.
broadcast-cancelled = Рассылка остановлена. Отправлено сообщений: { $sent }.
broadcast-not-draft = Эта рассылка уже запущена или отменена.
broadcast-not-running = Эта рассылка уже не идёт.

## Отслеживание заказов: уведомления от проверки статусов и рефиллов (суммы приходят уже отформатированными)

push-in-progress = 🔵 Заказ #{ $order } ({ $service }) запущен.
push-completed = ✅ Заказ #{ $order } ({ $service }) выполнен. Спасибо!
push-partial =
    🟡 Заказ #{ $order } ({ $service }) выполнен только частично.
    Сумма <b>{ $refund }</b> за невыполненную часть возвращена на ваш баланс.
push-canceled =
    ✖ Заказ #{ $order } ({ $service }) отменён.
    Сумма <b>{ $refund }</b> возвращена на ваш баланс.
push-refunded =
    ↩ Поставщик оформил возврат по заказу #{ $order } ({ $service }).
    Сумма <b>{ $refund }</b> возвращена на ваш баланс.
push-referral-earned = 🤝 Приглашённый вами друг завершил заказ: ваша награда <b>{ $amount }</b> зачислена на баланс.
push-refill-done = 🔄 Рефилл по заказу #{ $order } ({ $service }) выполнен.
push-refill-rejected = Поставщик отклонил рефилл по заказу #{ $order } ({ $service }).

## Уведомления администратору от отслеживания

admin-charge-mismatch = ⚠ Заказ #{ $order }: панель списала { $charged } { $currency }, а мы ожидали { $expected } { $currency }. Проверьте, как панель считает цену для этого типа услуг.
admin-review-refused = ⚠ Заказ #{ $order } (пользователь { $user }): панель { $polls } { $polls ->
        [one] раз
        [few] раза
       *[other] раз
    } подряд отказалась сообщить статус заказа { $upstream } ({ $answer }). Заказ ждёт в /review: проверьте там номер заказа у поставщика.
admin-review-left-out = ⚠ Заказ #{ $order } (пользователь { $user }): панель { $polls } { $polls ->
        [one] раз
        [few] раза
       *[other] раз
    } подряд не включила заказ { $upstream } в свой ответ. Заказ ждёт в /review: проверьте там номер заказа у поставщика.
admin-review-status = ⚠ Заказ #{ $order } (пользователь { $user }): панель { $polls } { $polls ->
        [one] раз
        [few] раза
       *[other] раз
    } подряд сообщила статус «{ $status }», которого бот не знает. Заказ ждёт в /review: проверьте его на панели и решите там.
admin-review-refund = ⚠ Заказ #{ $order } (пользователь { $user }): панель сообщила статус { $status }, но не прислала ни списанной суммы, ни остатка, по которым можно рассчитать возврат. Заказ ждёт в /review: решите там, сколько вернуть.

## Пополнение: суммы и способы оплаты

btn-topup-other = ✏ Другая сумма
btn-topup-stars = ⭐ Telegram Stars ({ $stars } ⭐)
btn-topup-manual = 🧾 Оплатить владельцу напрямую
topup-choose-amount =
    <b>Пополнение баланса</b>
    Выберите сумму или нажмите <b>Другая сумма</b>, чтобы ввести свою (от { $min } до { $max }).
topup-ask-amount = Отправьте сумму пополнения от <b>{ $min }</b> до <b>{ $max }</b> (например, 15 или 12,50).
topup-amount-invalid = Это не похоже на сумму. Отправьте число, например 15 или 12,50.
topup-choose-method =
    <b>Пополнение на { $amount }</b>
    Как вы хотите оплатить?
topup-no-methods = Пополнение сейчас недоступно. Свяжитесь с владельцем магазина.

# Отказы: показываются в чате, во всплывающем уведомлении или самим Telegram в форме оплаты (простой текст).
topup-refused-banned = С вашего аккаунта нельзя проводить платежи в этом магазине.
topup-refused-maintenance = В магазине сейчас идут технические работы. Попробуйте чуть позже.
topup-refused-unknown = Этот счёт больше не действителен. Начните пополнение заново из раздела «Баланс».
topup-refused-bounds = Сумма пополнения должна быть от { $min } до { $max }.
topup-refused-off = Этот способ оплаты сейчас недоступен.
topup-refused-waiting = У вас уже есть заявки на пополнение, которые ждут проверки владельцем. Пожалуйста, дождитесь решения, прежде чем отправлять новую.
topup-refused-often = За последний час вы отправили слишком много заявок на пополнение. Попробуйте позже.

## Telegram Stars

# Счёт: заголовок — не длиннее 32 символов, описание — не длиннее 255.
topup-invoice-title = Пополнение баланса
topup-invoice-description = Зачисляет { $amount } на ваш баланс в этом магазине.
topup-invoice-label = Пополнение на { $amount }
topup-invoice-failed = Сейчас эту сумму нельзя оплатить в Stars. Попробуйте другую сумму или оплатите владельцу напрямую.
topup-stars-paid = ✅ Оплата получена: на баланс зачислено { $amount }. Ваш баланс: <b>{ $balance }</b>.
topup-stars-unmatched = Нам не удалось связать этот платёж с пополнением, поэтому Stars вернулись к вам. Начните пополнение заново из раздела «Баланс».
topup-stars-unmatched-kept = Нам не удалось связать этот платёж с пополнением. Владелец магазина уже в курсе и во всём разберётся.
topup-stars-refunded = ↩ Оплата в Stars за пополнение #{ $payment } возвращена, с вашего баланса списано { $amount }.
kind-topup-reversed = возврат пополнения

## Ручное пополнение

topup-manual-ask =
    <b>Оплатите { $amount } владельцу магазина</b>
    { $info }

    Затем отправьте сюда короткий комментарий: как и когда вы оплатили (не больше { $max } { $max ->
        [one] символа
       *[other] символов
    }). Владелец проверит оплату и пополнит ваш баланс.
topup-manual-info-default = Реквизиты для оплаты уточните у владельца магазина.
topup-note-empty = Напишите пару слов: как и когда вы оплатили.
topup-note-too-long = Комментарий слишком длинный: { $length } { $length ->
        [one] символ
        [few] символа
       *[other] символов
    }, а можно не больше { $max }.
topup-manual-sent = 🧾 Заявка #{ $payment } на { $amount } отправлена. Мы сообщим, как только владелец её проверит.
topup-approved = ✅ Ваша заявка на пополнение #{ $payment } одобрена: зачислено { $amount }. Ваш баланс: <b>{ $balance }</b>.
topup-rejected = Ваша заявка на пополнение #{ $payment } на { $amount } не одобрена. Если вы считаете, что это ошибка, свяжитесь с владельцем магазина.

## Пополнения: для админов

btn-topup-approve = ✅ Одобрить
btn-topup-reject = ✖ Отклонить
admin-topup-request =
    🧾 <b>Заявка на пополнение #{ $payment }</b>
    <b>От:</b> { $name } (id <code>{ $user }</code>)
    <b>Сумма:</b> { $amount }
    <b>Отправлена:</b> { $created }
    <b>Комментарий:</b> { $note }
admin-topup-paid = ✅ Одобрено: { $admin }.
admin-topup-rejected = ✖ Отклонено: { $admin }.
admin-topup-already =
    { $state ->
        [paid] Уже одобрено: { $admin }.
       *[rejected] Уже отклонено: { $admin }.
    }
admin-topup-none = Нет заявок на пополнение, ожидающих решения.
admin-stars-unmatched =
    ⚠ Платёж в Stars не связан ни с одним пополнением: id платежа <code>{ $charge }</code>, { $stars } ⭐, пользователь { $user }.
    { $returned ->
        [true] Stars возвращены пользователю.
       *[false] Вернуть Stars не удалось: зачислите сумму пользователю вручную или верните Stars через Telegram.
    }
admin-refund-usage = Формат: /refund_stars charge_id — id платежа Telegram (charge id) для пополнения в Stars.
admin-refund-unknown = Нет оплаченного пополнения в Stars с id платежа <code>{ $charge }</code>.
admin-refund-already = Это пополнение в Stars уже возвращено.
admin-refund-spent = Возврат не выполнен: пользователь уже потратил деньги (баланс: { $balance }, пополнение: { $amount }). Ничего не изменено.
admin-refund-done = ↩ Stars за пополнение #{ $payment } возвращены (пользователь { $user }); с его баланса списано { $amount }.
admin-refund-failed = Telegram отклонил возврат ({ $error }). Сумма { $amount } снова на балансе пользователя, Stars не возвращены. Если вы не уверены, вернул ли Telegram Stars, выполните команду ещё раз: уже возвращённый платёж тогда будет записан как возвращённый.
admin-refund-doubt = ⚠ Ответ Telegram на возврат <code>{ $charge }</code> потерялся ({ $error }), поэтому пока неизвестно, вернулись ли Stars. Сумма { $amount } остаётся списанной с баланса пользователя, пока это не выяснится: это сделает следующая сверка с историей Stars в Telegram, или выполните /refund_stars { $charge } ещё раз.
admin-refund-overtaken = Telegram отклонил возврат <code>{ $charge }</code> ({ $error }), но за это время возврат запросили снова или он уже завершён, и действует тот результат. Ничего не изменено.
# Сверка с историей Stars бота в Telegram (getStarTransactions).
admin-stars-reconciled = ⚠ В истории Telegram нашёлся платёж в Stars, который бот не зачислил; сейчас он зачислен: пополнение #{ $payment }, { $amount }, пользователь { $user }, id платежа <code>{ $charge }</code>.
admin-stars-refund-settled = ↩ История Telegram показывает возврат <code>{ $charge }</code> (пополнение #{ $payment }, пользователь { $user }): он записан как возвращённый, пользователь уведомлён.
admin-stars-refund-restored = ⚠ Возврат <code>{ $charge }</code> (пополнение #{ $payment }, пользователь { $user }) в Telegram так и не прошёл: сумма { $amount } снова на балансе пользователя. Если вернуть всё ещё нужно, выполните /refund_stars { $charge } ещё раз.
admin-stars-refunded-outside = ⚠ По истории Telegram Stars платежа <code>{ $charge }</code> (пополнение #{ $payment }, пользователь { $user }) возвращены, но пополнение всё ещё на балансе пользователя. Чтобы списать его, выполните /refund_stars { $charge }.
# Для списка /admin у админов (handlers/admin.py COMMANDS) и меню команд (bot/commands.py ADMIN).
admin-help-topups = /topups — заявки на ручное пополнение, ожидающие решения
admin-help-refund_stars = /refund_stars &lt;id платежа&gt; — вернуть пополнение в Stars (сумма сначала списывается с баланса)
admin-help-referral = /referral [процент] — награда за приглашения (0 выключает) и лучшие пригласившие
admin-help-promo = /promo add КОД gift &lt;сумма&gt; | discount &lt;процент&gt; [uses &lt;n&gt;] [until &lt;дата&gt;] [new], /promo list, /promo off КОД — промокоды
admin-promo-usage = Как пользоваться:
    /promo add КОД gift &lt;сумма&gt; [uses &lt;n&gt;] [until &lt;дата&gt;] [new]
    /promo add КОД discount &lt;процент&gt; [uses &lt;n&gt;] [until &lt;дата&gt;] [new]
    /promo list
    /promo off КОД
    КОД — от 3 до 32 латинских букв и цифр (A-Z, 0-9). Дата: 31.12.2026, 31/12/2026, 31-12-2026 или 2026-12-31; код действует до конца этого дня (UTC). new — только для покупателей без оплаченных заказов.
admin-promo-exists = Промокод <b>{ $code }</b> уже есть. Выберите другой код.
admin-promo-added = Промокод создан: { $promo }
admin-promo-off = Промокод <b>{ $code }</b> выключен: активировать его больше нельзя. Уже активированные скидки сохраняются.
admin-promo-not-found = Активного промокода <b>{ $code }</b> нет.
admin-promo-none = Промокодов пока нет. Создайте первый командой /promo add.
admin-promo-line = <b>{ $code }</b>: { $kind ->
        [gift] подарок { $amount }
       *[discount] скидка { $amount }% на следующий заказ
    }, использований: { $uses }{ $max ->
        [none] {""}
       *[other] {" "}из { $max }
    }{ $until ->
        [none] {""}
       *[other] , до { $until }
    }{ $new ->
        [true] , только новые покупатели
       *[false] {""}
    }{ $active ->
        [true] {""}
       *[false] {" "}(выключен)
    }
cmd-topups = Заявки на пополнение

btn-order-again = 🔁 Заказать снова
order-again-gone = Эта услуга больше недоступна, поэтому повторить заказ не получится. Выберите, пожалуйста, другую в каталоге.
order-again-changed = ℹ️ С момента того заказа услуга изменилась, поэтому ответьте, пожалуйста, на вопросы заново.

## Несколько панелей
reason-rate = цена поставщика на эту услугу только что изменилась; попробуйте ещё раз чуть позже.
admin-order-backup = { " " }(покупатель выбрал { $service }; заказ выполнила резервная услуга)
admin-stats-panels = <b>По панелям, 30 дней:</b>
admin-stats-panel = { $panel }: заказов: { $orders } (как резерв: { $backups }) · выручка: { $revenue } · себестоимость: { $cost } · маржа: { $margin }
admin-backup-used = ↪ Заказ #{ $order }: { $service } отклонён ({ $reason }), поэтому заказ ушёл на резервную услугу { $backup } по цене, с которой согласился покупатель.
admin-help-backup = /backup &lt;панель:id&gt; &lt;панель:id&gt; | off — куда уходит заказ, если панель услуги его отклонила
admin-usage-backup = Формат: /backup main:101 second:2001 (резерв — на другой панели и того же типа) или /backup main:101 off
admin-backup-set = Если панель отклонит заказ, { $service } теперь уйдёт на { $backup } (не дороже цены, с которой согласился покупатель).
admin-backup-off = У { $service } больше нет резерва.
admin-backup-unknown = Такой услуги нет. Укажите её как панель:id, например second:2001 (см. /sync).
admin-backup-same-panel = Резерв должен быть на другой панели: та же панель откажет и ему.
admin-backup-other-type = Резерв должен быть того же типа, чтобы задавать покупателю те же вопросы.
