"""The flow-test harness: FakeSession answers like Telegram, TelegramUser acts like a person."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.filters import Command, CommandStart
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    DeleteMessage,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChatMember,
    GetChatMemberCount,
    SendMessage,
    SendPhoto,
)
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    CallbackQuery,
    ChatMemberMember,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    LabeledPrice,
    Message,
    User,
)

from tests.fakes import FakeSession, TelegramUser, make_bot

USER_ID = 1001
BLOCKED_CHAT = 2002


def _markup(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
            for row in rows
        ]
    )


HOME = _markup([("📦 Catalog", "catalog"), ("Help", "help")], [("Refresh", "refresh")])
CATALOG = _markup([("Likes", "svc:1"), ("Likes (fast)", "svc:2")], [("⬅️ Back", "home")])
HOME_TEXT = "Hello, <b>friend</b>! Pick one:"


def build_dispatcher() -> Dispatcher:
    """A tiny bot: a menu that navigates by editing one message in place."""
    router = Router()
    seen: list[CallbackQuery] = []

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer(HOME_TEXT, reply_markup=HOME)

    @router.message(Command("notify"))
    async def notify(message: Message, bot: Bot) -> None:
        try:
            await bot.send_message(BLOCKED_CHAT, "Your order is done")
        except TelegramForbiddenError:
            await message.answer("That user blocked the bot.")
            return
        await message.answer("Delivered.")

    @router.message(Command("echo"))
    async def echo(message: Message) -> None:
        # Deliberately not escaped: the fake must refuse it as Telegram would.
        await message.answer(f"You said: {(message.text or '').removeprefix('/echo ')}")

    @router.callback_query(F.data == "catalog")
    async def catalog(callback: CallbackQuery) -> None:
        seen.append(callback)
        assert isinstance(callback.message, Message)
        await callback.message.edit_text("Catalog", reply_markup=CATALOG)
        await callback.answer()

    @router.callback_query(F.data == "home")
    async def home(callback: CallbackQuery) -> None:
        seen.append(callback)
        assert isinstance(callback.message, Message)
        await callback.message.edit_text(HOME_TEXT, reply_markup=HOME)
        await callback.answer()

    @router.callback_query(F.data == "refresh")
    async def refresh(callback: CallbackQuery) -> None:
        # Same text, same keyboard: Telegram says "message is not modified".
        assert isinstance(callback.message, Message)
        await callback.message.edit_text(HOME_TEXT, reply_markup=HOME)
        await callback.answer()

    @router.callback_query(F.data == "help")
    async def forgetful(callback: CallbackQuery) -> None:
        seen.append(callback)
        assert isinstance(callback.message, Message)
        await callback.message.answer("Write to support.")  # and never answers the callback

    @router.callback_query(F.data.startswith("svc:"))
    async def service(callback: CallbackQuery) -> None:
        seen.append(callback)
        await callback.answer("Chosen", show_alert=True)

    dp = Dispatcher()
    dp["seen"] = seen
    dp.include_router(router)
    return dp


@pytest.fixture
def session() -> FakeSession:
    return FakeSession()


@pytest.fixture
def bot(session: FakeSession) -> Bot:
    return make_bot(session)


@pytest.fixture
def dp() -> Dispatcher:
    return build_dispatcher()


@pytest.fixture
def user(dp: Dispatcher, bot: Bot, session: FakeSession) -> TelegramUser:
    return TelegramUser(dp, bot, session, user_id=USER_ID)


async def test_send_returns_the_typed_methods_the_bot_called(
    user: TelegramUser, session: FakeSession
) -> None:
    methods = await user.send("/start")

    assert [type(m) for m in methods] == [SendMessage]
    sent = methods[0]
    assert isinstance(sent, SendMessage)
    assert sent.chat_id == USER_ID
    assert sent.text == HOME_TEXT
    assert session.sent(SendMessage, chat_id=USER_ID) == [sent]


async def test_last_text_and_buttons_show_what_the_person_sees(user: TelegramUser) -> None:
    await user.send("/start")

    assert user.last_text() == "Hello, friend! Pick one:"
    assert user.buttons() == [["📦 Catalog", "Help"], ["Refresh"]]
    message = user.last_message()
    assert message.from_user is not None
    assert message.from_user.is_bot
    assert message.chat.first_name == "Alice"
    assert message.entities is not None
    assert [(e.type, e.offset, e.length) for e in message.entities] == [("bold", 7, 6)]


async def test_the_bot_gets_a_real_command_update(
    dp: Dispatcher, bot: Bot, session: FakeSession
) -> None:
    received: list[Message] = []
    router = Router()

    @router.message(Command("deals"))
    async def deals(message: Message) -> None:
        received.append(message)

    dp.include_router(router)
    user = TelegramUser(dp, bot, session, user_id=7, first_name="Bob", username=None)

    assert await user.send("/deals today") == []
    await user.send("/deals")

    first, second = received
    assert first.bot is bot
    assert first.entities is not None
    assert (first.entities[0].type, first.entities[0].length) == ("bot_command", 6)
    assert first.from_user is not None
    assert (first.from_user.first_name, first.from_user.username) == ("Bob", None)
    assert second.message_id == first.message_id + 1


async def test_click_edits_in_place_and_answers(user: TelegramUser, session: FakeSession) -> None:
    await user.send("/start")
    home_id = user.last_message().message_id

    methods = await user.click("Catalog")

    assert [type(m) for m in methods] == [EditMessageText, AnswerCallbackQuery]
    edit = methods[0]
    assert isinstance(edit, EditMessageText)
    assert edit.message_id == home_id
    assert user.last_message().message_id == home_id
    assert user.last_text() == "Catalog"
    assert user.buttons() == [["Likes", "Likes (fast)"], ["⬅️ Back"]]
    assert len(session.bot_messages(USER_ID)) == 1
    assert user.unanswered_callbacks == []

    await user.click("Back")
    assert user.last_text() == "Hello, friend! Pick one:"
    assert user.last_message().edit_date is not None


async def test_callback_carries_the_message_as_it_is_now(
    user: TelegramUser, dp: Dispatcher
) -> None:
    await user.send("/start")
    await user.click("Catalog")
    await user.click("Back")

    seen: list[CallbackQuery] = dp["seen"]
    to_catalog, back = seen
    assert to_catalog.from_user.id == USER_ID
    assert isinstance(back.message, Message)
    assert back.message.text == "Catalog"
    assert back.id != to_catalog.id


async def test_exact_text_wins_over_partial_matches(user: TelegramUser, dp: Dispatcher) -> None:
    await user.send("/start")
    await user.click("Catalog")

    await user.click("Likes")

    assert dp["seen"][-1].data == "svc:1"


async def test_click_by_predicate(user: TelegramUser, dp: Dispatcher) -> None:
    await user.send("/start")
    await user.click("Catalog")

    await user.click(lambda button: button.callback_data == "svc:2")

    assert dp["seen"][-1].data == "svc:2"


async def test_missing_button_lists_the_buttons_on_screen(user: TelegramUser) -> None:
    await user.send("/start")

    with pytest.raises(AssertionError, match="no button matches 'Basket'") as caught:
        await user.click("Basket")

    assert "📦 Catalog" in str(caught.value)
    assert "Refresh" in str(caught.value)


async def test_ambiguous_button_is_refused(user: TelegramUser) -> None:
    await user.send("/start")
    await user.click("Catalog")

    with pytest.raises(AssertionError, match="2 buttons match 'Like'"):
        await user.click("Like")


async def test_clicking_before_the_bot_spoke_is_refused(user: TelegramUser) -> None:
    with pytest.raises(AssertionError, match="sent nothing"):
        await user.click("Catalog")


async def test_older_message_keeps_its_buttons(user: TelegramUser) -> None:
    await user.send("/start")
    first = user.last_message()
    await user.send("/start")

    await user.click("Catalog", message=first)

    assert user.last_message().message_id == first.message_id
    assert user.last_text() == "Catalog"


async def test_unanswered_callback_is_reported(user: TelegramUser) -> None:
    await user.send("/start")

    methods = await user.click("Help")

    assert [type(m) for m in methods] == [SendMessage]
    assert user.last_text() == "Write to support."
    assert len(user.unanswered_callbacks) == 1


async def test_answering_a_callback_twice_is_refused(bot: Bot, user: TelegramUser) -> None:
    await user.send("/start")
    await user.click("Catalog")
    answer = user.session.sent(AnswerCallbackQuery)[0]

    again = AnswerCallbackQuery(callback_query_id=answer.callback_query_id)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await user.session.make_request(bot, again)  # as Telegram answers it
    # The production session's LateAnswers takes it as done: the update goes on.
    assert await bot(again) is True


async def test_editing_to_the_same_content_is_not_modified(user: TelegramUser) -> None:
    await user.send("/start")

    with pytest.raises(TelegramBadRequest, match="message is not modified") as caught:
        await user.click("Refresh")

    assert isinstance(caught.value.method, EditMessageText)
    assert user.unanswered_callbacks != []


async def test_same_keyboard_is_not_modified(bot: Bot, user: TelegramUser) -> None:
    await user.send("/start")
    message = user.last_message()

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=USER_ID, message_id=message.message_id, reply_markup=HOME
        )
    await bot.edit_message_reply_markup(chat_id=USER_ID, message_id=message.message_id)

    assert user.buttons() == []
    assert user.last_text() == "Hello, friend! Pick one:"


async def test_forged_callback_data_reaches_the_handler(user: TelegramUser, dp: Dispatcher) -> None:
    await user.send("/start")

    await user.click_data("svc:999")

    assert dp["seen"][-1].data == "svc:999"
    assert user.unanswered_callbacks == []


async def test_callback_for_a_message_not_in_chat_is_inaccessible(
    user: TelegramUser, dp: Dispatcher
) -> None:
    await user.click_data("svc:1", message_id=555)

    callback = dp["seen"][-1]
    assert isinstance(callback.message, InaccessibleMessage)
    assert callback.message.message_id == 555


async def test_429_raises_retry_after(user: TelegramUser, session: FakeSession) -> None:
    session.fail(SendMessage, 429, retry_after=7)

    with pytest.raises(TelegramRetryAfter) as caught:
        await user.send("/start")

    assert caught.value.retry_after == 7
    assert session.exchanges[-1].error is caught.value
    await user.send("/start")  # times=1: the next call goes through
    assert user.last_text() == "Hello, friend! Pick one:"


async def test_403_for_one_chat_raises_forbidden(user: TelegramUser, session: FakeSession) -> None:
    session.fail(SendMessage, 403, "Forbidden: bot was blocked by the user", chat_id=BLOCKED_CHAT)

    methods = await user.send("/notify")

    assert [m.chat_id for m in methods if isinstance(m, SendMessage)] == [BLOCKED_CHAT, USER_ID]
    assert user.last_text() == "That user blocked the bot."
    error = session.exchanges[0].error
    assert isinstance(error, TelegramForbiddenError)
    assert "blocked" in error.message


async def test_fault_times_none_fails_every_call(bot: Bot, session: FakeSession) -> None:
    session.fail(SendMessage, 500, times=None)

    for _ in range(3):
        with pytest.raises(TelegramServerError):
            await bot.send_message(USER_ID, "hi")


async def test_fault_for_another_chat_does_not_fire(bot: Bot, session: FakeSession) -> None:
    session.fail(SendMessage, 403, chat_id=BLOCKED_CHAT)

    sent = await bot.send_message(USER_ID, "hi")

    assert sent.text == "hi"
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(BLOCKED_CHAT, "hi")


async def test_unescaped_html_is_refused_like_telegram(user: TelegramUser) -> None:
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await user.send("/echo 2 <3 you")

    await user.send("/echo fish &amp; chips")
    assert user.last_text() == "You said: fish & chips"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("a <br> b", 'Unsupported start tag "br"'),
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("   ", "message text is empty"),
        ("x" * 4097, "message is too long"),
    ],
)
async def test_text_telegram_refuses(bot: Bot, text: str, detail: str) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(USER_ID, text)

    assert detail in caught.value.message


async def test_callback_data_over_64_bytes_is_refused(bot: Bot) -> None:
    markup = _markup([("Too long", "x" * 65)])

    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "menu", reply_markup=markup)


async def test_inline_button_without_action_is_refused(bot: Bot) -> None:
    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="Nothing")]])

    with pytest.raises(TelegramBadRequest, match="text buttons are unallowed"):
        await bot.send_message(USER_ID, "menu", reply_markup=markup)


async def test_editing_unknown_or_deleted_message_is_refused(
    bot: Bot, user: TelegramUser, session: FakeSession
) -> None:
    await user.send("/start")
    message_id = user.last_message().message_id

    await bot.delete_message(USER_ID, message_id)

    assert session.bot_messages(USER_ID) == []
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER_ID, message_id)
    with pytest.raises(TelegramBadRequest, match="can't be edited"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=message_id - 1)


async def test_default_results(bot: Bot, session: FakeSession) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot) == (42, True)
    assert await bot.set_my_commands([BotCommand(command="start", description="Start")]) is True

    photo = await bot.send_photo(
        USER_ID, BufferedInputFile(b"png", "a.png"), caption="<i>nice</i>", reply_markup=HOME
    )
    assert photo.photo is not None
    assert photo.caption == "nice"
    assert len(session.sent(SendPhoto)) == 1

    invoice = await bot.send_invoice(
        USER_ID,
        title="Top up",
        description="Balance",
        payload="topup:1",
        currency="XTR",
        prices=[LabeledPrice(label="Stars", amount=50)],
    )
    assert invoice.invoice is not None
    assert invoice.invoice.total_amount == 50

    copied = await bot.copy_message(USER_ID, USER_ID, photo.message_id)
    assert copied.message_id == invoice.message_id + 1
    assert session.bot_messages(USER_ID)[-1]["caption"] == "nice"
    assert len(session.sent(CopyMessage)) == 1


async def test_unknown_method_asks_for_a_responder(bot: Bot, session: FakeSession) -> None:
    with pytest.raises(NotImplementedError, match=r"session\.responder"):
        await bot.get_chat_member_count(USER_ID)

    session.responder(GetChatMemberCount, lambda method: 5)
    assert await bot.get_chat_member_count(USER_ID) == 5


async def test_responder_may_return_telegram_objects(bot: Bot, session: FakeSession) -> None:
    def member(method: GetChatMember) -> ChatMemberMember:
        return ChatMemberMember(user=User(id=method.user_id, is_bot=False, first_name="Zed"))

    session.responder(GetChatMember, member)

    found = await bot.get_chat_member(-100, 77)
    assert isinstance(found, ChatMemberMember)
    assert found.user.first_name == "Zed"


async def test_async_responder_overrides_default(bot: Bot, session: FakeSession) -> None:
    async def refuse_nothing(method: DeleteMessage) -> bool:
        return False

    session.responder(DeleteMessage, refuse_nothing)

    assert await bot.delete_message(USER_ID, 12345) is False


async def test_sent_filters_and_clear(bot: Bot, session: FakeSession) -> None:
    await bot.send_message(USER_ID, "one")
    await bot.send_message(BLOCKED_CHAT, "two")
    await bot.get_me()

    assert [m.text for m in session.sent(SendMessage)] == ["one", "two"]
    assert [m.text for m in session.sent(SendMessage, chat_id=BLOCKED_CHAT)] == ["two"]
    assert len(session.sent()) == 3

    session.clear()
    assert session.sent() == []
    assert session.request_count == 3


async def test_edit_of_a_reply_markup_only(bot: Bot, user: TelegramUser) -> None:
    await user.send("/start")
    message_id = user.last_message().message_id

    methods_before = len(user.session.sent(EditMessageReplyMarkup))
    await bot.edit_message_reply_markup(
        chat_id=USER_ID, message_id=message_id, reply_markup=CATALOG
    )

    assert len(user.session.sent(EditMessageReplyMarkup)) == methods_before + 1
    assert user.buttons() == [["Likes", "Likes (fast)"], ["⬅️ Back"]]
    assert user.last_text() == "Hello, friend! Pick one:"


async def test_media_captions_and_edits_follow_telegram(bot: Bot) -> None:
    album = await bot.send_media_group(
        USER_ID, [InputMediaPhoto(media="photo-a", caption="<b>A</b>"), InputMediaPhoto(media="b")]
    )
    assert [(m.caption, m.photo is not None) for m in album] == [("A", True), (None, True)]

    edited = await bot.edit_message_caption(
        chat_id=USER_ID, message_id=album[0].message_id, caption="New"
    )
    assert isinstance(edited, Message)
    assert edited.caption == "New"
    with pytest.raises(TelegramBadRequest, match="no text in the message"):
        await bot.edit_message_text("text", chat_id=USER_ID, message_id=album[0].message_id)

    code = await bot.send_message(USER_ID, '<pre><code class="language-py">x = 1</code></pre>')
    assert code.entities is not None
    assert [(e.type, e.language) for e in code.entities] == [("pre", "py")]
