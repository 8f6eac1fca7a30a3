## Menü ve gezinme

welcome =
    Merhaba { $name }! Bu mağazada sosyal medya hesaplarınız için takipçi, beğeni, izlenme ve çok daha fazlasını bulabilirsiniz.
    Bir hizmet seçin, linki gönderin, ödemeyi bakiyenizden yapın — gerisini biz hallederiz ve sizi adım adım bilgilendiririz.
menu = Ne yapmak istersiniz?
help =
    <b>Nasıl çalışır?</b>
    1. Bakiyenizi yükleyin: <b>Bakiye</b>, ardından <b>Bakiye yükle</b> butonuna dokunun.
    2. <b>Yeni sipariş</b> butonuna dokunup bir kategori ve hizmet seçin.
    3. Linki ve miktarı (hizmet başka bir şey soruyorsa onu da) gönderin.
    4. Fiyatı kontrol edip onaylayın: ücret bakiyenizden düşülür.
    Sipariş başladığında ve tamamlandığında size haber veririz.

    Katalogda arama yapmak için bir kelime yazın (örneğin <i>instagram</i>).

    /start — ana menü
    /search kelime — hizmet ara
    /language — dili değiştir
    /support — bize yaz
    /cancel — yaptığınız işlemi durdur
    /help — bu yardım metni
hint = Katalogda aramak için bir kelime yazın ya da aşağıdan bir işlem seçin.
unknown-command = Bu komutu tanımıyorum. İşte menü:
not-available = Bu artık mevcut değil.
page = { $page }/{ $pages }
sandbox-banner = 🧪 TEST MODU — gerçek sipariş veya ödeme yapılmaz.
error-generic = Sistemimizde bir sorun oluştu. Lütfen biraz sonra tekrar deneyin.

btn-new-order = 🛒 Yeni sipariş
btn-my-orders = 📦 Siparişlerim
btn-balance = 💰 Bakiye
btn-language = 🌐 Dil
btn-help = ❓ Yardım
btn-invite = 🤝 Arkadaşlarını davet et
btn-support = 💬 Destek
btn-share = 📤 Bağlantıyı paylaş
btn-home = 🏠 Menü
btn-back = ‹ Geri
btn-catalog = 📂 Katalog
btn-cancel = ✖ İptal
btn-skip = Atla ›
btn-order = 🛒 Sipariş ver
btn-confirm = ✅ Onayla ve öde
btn-top-up = 💰 Bakiye yükle
btn-promo = 🎟 Promosyon kodu
btn-view-order = 📦 Siparişi görüntüle
btn-refill = 🔄 Telafi iste
btn-cancel-order = ✖ Siparişi iptal et
btn-refresh = 🔃 Yenile
btn-ask-order = 💬 Bu sipariş hakkında sor

## Dil

language-choose = Dilinizi seçin:
language-en = English
language-tr = Türkçe
language-ru = Русский
language-set = Dil Türkçe olarak ayarlandı.

## Katalog

catalog = Bir kategori seçin:
catalog-empty = Katalog şu anda boş. Lütfen biraz sonra tekrar uğrayın.
category =
    <b>{ $name }</b>

    { $services }
service-line = <b>#{ $id }</b> { $name } — { $price } · { $min }–{ $max } { $badges }
price-per-1000 = { $price } / 1000 adet
price-per-package = { $price } / paket
badge-refill = 🔄 Telafi
badge-cancel = ✖ İptal
badge-dripfeed = 💧 Drip-feed
service-card =
    <b>{ $name }</b>
    Hizmet #{ $id } · { $category }

    Fiyat: { $price }
    Sipariş miktarı: en az { $min }, en fazla { $max }
    { $badges }
    { $sellable ->
        [true] Başlamak için <b>Sipariş ver</b> butonuna dokunun.
       *[false] Bu hizmet bot üzerinden sipariş edilemiyor.
    }
search-usage = /search yazıp ardından bir kelime girin, örneğin: /search instagram followers
search-too-short = Arama için en az iki harf yazın.
search-expired = Bu aramanın süresi doldu. Kelimelerinizi tekrar yazın.
search-none = “{ $query }” için sonuç bulunamadı. Başka bir kelime deneyin ya da kataloğa göz atın.
search-results =
    { $count ->
        [one] “{ $query }” için bir hizmet bulundu:
       *[other] “{ $query }” için { $count } hizmet bulundu:
    }

    { $services }

## Sipariş adımları

ask-link = { $name } için <b>linki</b> gönderin (https:// ile başlamalı).
ask-quantity = Kaç adet? <b>{ $min }</b> ile <b>{ $max }</b> arasında bir tam sayı gönderin.
ask-runs = Drip-feed: sipariş kaç <b>parçada</b> teslim edilsin? Bir sayı gönderin (en az 2) ya da hepsini tek seferde almak için Atla butonuna dokunun.
ask-interval = Parçalar arasında kaç <b>dakika</b> olsun? 1 ile 1440 arasında bir sayı gönderin.
ask-keywords = <b>Anahtar kelimeleri</b> her satıra bir tane gelecek şekilde gönderin.
ask-comments = <b>Yorumları</b> her satıra bir tane gelecek şekilde gönderin ({ $min } ile { $max } satır arası).
ask-usernames = <b>Kullanıcı adlarını</b> her satıra bir tane gelecek şekilde gönderin.
ask-hashtags = <b>Hashtag'leri</b> her satıra bir tane gelecek şekilde gönderin.
ask-hashtag = <b>Hashtag'i</b> gönderin, örneğin #seyahat.
ask-username = <b>Kullanıcı adını</b> (örneğin @isim) ya da profil linkini gönderin.
ask-media = Beğenenleri etiketlenecek <b>gönderinin linkini</b> gönderin.
ask-answer_number = Oylar anketteki hangi <b>seçeneğe</b> gitsin? Seçeneğin sıra numarasını gönderin (ilk seçenek için 1).
ask-groups = Üyelerin davet edileceği <b>grupları</b> her satıra bir tane gelecek şekilde gönderin.
ask-min = Abonelik: gönderi başına <b>en düşük</b> miktarı gönderin ({ $min } ile { $max } arasında bir sayı).
ask-max = Gönderi başına <b>en yüksek</b> miktarı gönderin: en düşük miktardan az olmayan, en fazla { $max } olan bir sayı.
ask-posts = Abonelik kaç <b>yeni gönderi</b> için geçerli olsun? Bir sayı gönderin.
ask-old_posts = Kaç <b>mevcut gönderiye</b> de uygulansın? Bir sayı gönderin ya da Atla butonuna dokunun.
ask-delay = Gönderi paylaşıldıktan sonra ne kadar <b>beklensin</b>? Aşağıdan dakikayı seçin.
ask-expiry = Abonelik belirli bir tarihte <b>bitsin</b> mi? Tarihi gün.ay.yıl şeklinde gönderin (örneğin 31.12.2026) ya da Atla butonuna dokunun.

field-link = Link
field-quantity = Miktar
field-runs = Parça sayısı
field-interval = Aralık (dakika)
field-keywords = Anahtar kelimeler
field-comments = Yorumlar
field-usernames = Kullanıcı adları
field-hashtags = Hashtag'ler
field-hashtag = Hashtag
field-username = Kullanıcı adı
field-media = Gönderi
field-answer_number = Seçenek numarası
field-groups = Gruplar
field-min = Gönderi başına en az
field-max = Gönderi başına en fazla
field-posts = Yeni gönderiler
field-old_posts = Mevcut gönderiler
field-delay = Gecikme (dakika)
field-expiry = Bitiş tarihi

error-number = Lütfen yalnızca rakamlardan oluşan bir tam sayı gönderin.
error-range = Bu sayı izin verilen aralığın dışında: { $min } ile { $max } arasında bir sayı gönderin.
error-too-long = Bu mesaj çok uzun (en fazla { $max } karakter).
error-link = Bu bir linke benzemiyor. https:// ile başlayan tam adresi gönderin.
error-username = Bu bir kullanıcı adına benzemiyor. @isim şeklinde ya da profil linki olarak gönderin.
error-hashtag = Hashtag; harf, rakam veya _ içeren tek bir kelimedir, örneğin #seyahat.
error-lines-empty = Lütfen en az bir satır metin gönderin.
error-lines-count =
    { $count ->
        [one] Bir satır gönderdiniz,
       *[other] { $count } satır gönderdiniz,
    } ancak bu hizmet { $min } ile { $max } arası satır kabul ediyor. Lütfen listeyi tekrar gönderin.
error-delay = Lütfen butonlardaki gecikme sürelerinden birini seçin.
error-date = Lütfen geçerli bir tarihi gün.ay.yıl şeklinde gönderin, örneğin 31.12.2026.
error-date-past = Bu tarih geçti. İleriki bir tarih gönderin.
error-max-below-min = En yüksek miktar, en düşük miktardan ({ $min }) az olamaz.
error-runs-impossible = Bu miktar parçalara bölünemeyecek kadar büyük. Hepsini tek seferde almak için Atla butonuna dokunun.
error-not-text = Lütfen metin mesajıyla yanıt verin.

use-buttons = Lütfen özetin altındaki butonları kullanın: onaylayın, geri dönün ya da iptal edin.
cancelled = İptal edildi. Hiçbir ücret alınmadı.
nothing-to-cancel = İptal edilecek bir işlem yok.
service-gone = Bu hizmet artık mevcut değil. Lütfen başka bir hizmet seçin.
summary-field = <b>{ $field }:</b> { $value }
summary-price-discounted = { $before }
    <b>Promosyon kodu { $code }:</b> −{ $discount }{ $capped ->
        [true] {" "}(bu sipariş için verilebilecek en yüksek indirim)
       *[false] {""}
    }
    <b>Ödenecek tutar:</b> { $price }
summary =
    <b>Lütfen siparişinizi kontrol edin</b>

    <b>Hizmet:</b> { $name }
    { $fields }
    <b>Ücretlendirilen miktar:</b> { $quantity }

    <b>Fiyat:</b> { $price }
    <b>Bakiyeniz:</b> { $balance }
    { $enough ->
        [true] <b>Sipariş sonrası bakiye:</b> { $after }
       *[false] Bakiyeniz bu sipariş için yeterli değil. Bakiye yükledikten sonra tekrar deneyin.
    }
confirm-stale = Bu özet zaten kullanılmış ya da süresi dolmuş.
order-changed-price = ⚠️ Özeti gördükten sonra fiyat değişti: { $old } idi, şimdi { $new }. Hiçbir ücret alınmadı. Lütfen siparişi kontrol edip yeniden onaylayın.
order-changed-service = ⚠️ Özeti gördükten sonra bu hizmet değişti, bu yüzden bazı yanıtlar yeniden gerekiyor. Hiçbir ücret alınmadı.
order-changed-discount = ⚠️ Özeti gördükten sonra promosyon indiriminiz değişti. Hiçbir ücret alınmadı. Lütfen siparişi kontrol edip yeniden onaylayın.
placing = Siparişiniz veriliyor…

order-placed = ✅ Siparişiniz alındı: <b>#{ $order }</b>. Başladığında ve tamamlandığında size haber vereceğiz.
order-unknown = ⏳ Sipariş <b>#{ $order }</b> tedarikçimizle kontrol ediliyor. Paranız güvende: kısa süre içinde siparişi onaylayacak ya da ücreti iade edeceğiz.
order-no-funds = Bakiyeniz bu sipariş için yeterli değil. Hiçbir ücret alınmadı. Bakiye yükleyip tekrar deneyin.
order-duplicate = ✅ Sipariş <b>#{ $order }</b> bu özetle zaten verildi.
order-unavailable = Bu hizmet şu anda sipariş edilemiyor. Hiçbir ücret alınmadı.
order-failed = ❌ Sipariş <b>#{ $order }</b> verilemedi: { $reason } Ücret bakiyenize iade edildi.

reason-auth = mağaza şu anda tedarikçisine sipariş iletemiyor; ekibimize haber verildi.
reason-funds = mağaza şu anda tedarikçisine sipariş iletemiyor; ekibimize haber verildi.
reason-quantity = bu miktar bu hizmet için kabul edilmiyor.
reason-link = link kabul edilmedi. Sayfanın herkese açık olduğundan ve linkin doğru olduğundan emin olun.
reason-service = bu hizmet şu anda kullanılamıyor.
reason-order_id = sipariş bulunamadı.
reason-other = tedarikçi bir sebep belirtmedi.
reason-unreachable = tedarikçimiz yanıt vermedi.
reason-unknown = tedarikçimizden yanıt alamadık.

## Siparişlerim

orders =
    { $count ->
        [one] Siparişiniz:
       *[other] Siparişleriniz ({ $count }):
    }
orders-empty = Henüz siparişiniz yok. İlk siparişinizi vermek için Yeni sipariş butonuna dokunun.
order-button = #{ $order } { $service } · { $status }
order-card =
    <b>Sipariş #{ $order }</b>
    { $service }
    <b>Link:</b> { $link }
    { $fields }
    <b>Fiyat:</b> { $price }
    <b>Durum:</b> { $state }
    <b>Başlangıç sayısı:</b> { $start_count } · <b>Kalan:</b> { $remains }
    <b>Sipariş tarihi:</b> { $created }
    { $cancel_requested ->
        [true] İptal talep edildi.
       *[false] {""}
    }
    { $refills }
refill-line = Telafi #{ $refill }: { $status }
# What a refill's status at the panel means, in the customer's words.
refill-status-pending = talep edildi
refill-status-in-progress = işlemde
refill-status-completed = tamamlandı
refill-status-rejected = tedarikçi reddetti
refill-status-canceled = iptal edildi
refill-status-failed = başarısız
refill-status-other = tedarikçiyle kontrol ediliyor

state-submitting = ⏳ Gönderiliyor
state-active = 🔵 İşlemde
state-unknown = ⏳ Kontrol ediliyor
state-review = 🔍 Ekibimiz kontrol ediyor
state-failed = ❌ Başarısız (iade edildi)
state-completed = ✅ Tamamlandı
state-partial = 🟡 Kısmen tamamlandı (kısmi iade)
state-canceled = ✖ İptal edildi (iade edildi)
state-refunded = ↩ İade edildi
# The same states, short enough for an order's button in the list.
state-submitting-short = ⏳ Gönderiliyor
state-active-short = 🔵 İşlemde
state-unknown-short = ⏳ Kontrolde
state-review-short = 🔍 Kontrolde
state-failed-short = ❌ Başarısız
state-completed-short = ✅ Tamamlandı
state-partial-short = 🟡 Kısmen
state-canceled-short = ✖ İptal
state-refunded-short = ↩ İade

refill-requested = Telafi talebiniz alındı. Tamamlandığında size haber vereceğiz.
refill-refused = Tedarikçi telafi talebini reddetti: { $reason }
refill-error = Telafi talebi şu anda gönderilemedi. Lütfen daha sonra tekrar deneyin.
cancel-requested = İptal talebiniz alındı. Tedarikçi siparişi iptal ederse ücret bakiyenize iade edilir.
cancel-refused = Tedarikçi iptal talebini reddetti: { $reason }
cancel-error = İptal talebi şu anda gönderilemedi. Lütfen daha sonra tekrar deneyin.

## Destek

support-write = Destek ekibine mesajınızı yazın: metin ya da açıklamalı bir fotoğraf. Yanıtımız buraya gelecek.
support-write-order = Sipariş #{ $order } hakkındaki sorunuzu yazın: metin ya da açıklamalı bir fotoğraf. Yanıtımız buraya gelecek.
support-sent = ✉ Destek ekibine iletildi. Yanıtımız buraya gelecek; bu arada yazmaya devam edebilirsiniz.
support-too-fast = Çok hızlı yazıyorsunuz: dakikada en fazla { $limit } mesaj gönderebilirsiniz. Biraz bekleyip tekrar gönderin.
support-only-text-photo = Lütfen metin ya da açıklamalı bir fotoğraf gönderin.
support-reply-closed = Bu konuşma kapatıldı. Yeniden yazmak için menüden Destek'e dokunun.
btn-support-reply = ↩ Yanıtla
btn-support-close = ✅ Kapat
# To the customer, drawn in their language by the sender.
support-answer =
    💬 <b>Destek</b>

    { $text }
support-closed = Destek konuşmanız (#{ $ticket }) kapatıldı. Başka bir konuda yardıma ihtiyacınız olursa menüden Destek'e dokunun.
# To every admin, above each customer message.
support-to-admin =
    💬 <b>Talep #{ $ticket }</b>, gönderen: { $who }
    ID <code>{ $user }</code> · dil { $language } · bakiye { $balance }
    { $context }

    { $text }
support-admin-order = #{ $order } { $service } · { $state } · { $charge }
support-admin-no-orders = Henüz sipariş yok.
support-admin-about = <b>Sipariş #{ $order } hakkında</b> (tedarikçideki no: { $upstream }): { $line }
support-answer-prompt = Talep #{ $ticket } için yanıtınızı yazın: metin ya da açıklamalı bir fotoğraf.
support-answer-sent = Yanıt gönderildi (talep #{ $ticket }).
support-ticket-closed = Talep #{ $ticket } kapalı: hiçbir şey gönderilmedi.
support-ticket-missing = Talep #{ $ticket } bulunamadı.
support-closed-done = Talep #{ $ticket } kapatıldı; müşteriye bildirildi.
support-ticket-already-closed = Talep #{ $ticket } zaten kapatılmıştı.
support-close-usage = Bir konuşmayı kapatmak için müşterinin destek mesajına /close ile yanıt verin.
support-tickets =
    <b>Açık destek konuşmaları ({ $count })</b>, en eskisi önce:
    { $lines }
support-tickets-line = #{ $ticket } · { $name } (<code>{ $user }</code>) · { $opened } tarihinden beri · { $messages } mesaj: { $last }
support-tickets-none = Açık destek konuşması yok.

## Bakiye

balance =
    <b>Bakiyeniz:</b> { $balance }

    { $movements }
balance-empty = Henüz hesap hareketi yok.
movement = { $time } · { $amount } · { $kind }
kind-order = sipariş #{ $order }
kind-refund = sipariş #{ $order } iadesi
kind-topup = bakiye yükleme
kind-admin = bakiye düzeltmesi
kind-referral = arkadaş siparişi ödülü
invite =
    <b>Arkadaşlarınızı davet edin</b>
    Kişisel bağlantınızı paylaşın. Bir arkadaşınız mağazayı bu bağlantıyla açarsa, tamamlanan her siparişi için ödediği tutarın %{ $percent } kadarı doğrudan bakiyenize eklenir.

    { $link }

    <b>Davet ettiğiniz arkadaşlar:</b> { $invited }
    <b>Toplam kazanç:</b> { $earned }
    <b>Son ödüller:</b>
    { $last }
invite-off =
    <b>Arkadaşlarınızı davet edin</b>
    Kişisel bağlantınızı paylaşın: mağazayı bu bağlantıyla açan arkadaşlarınız sizin davetiniz sayılır. Davet ödülleri şu an durduruldu.

    { $link }

    <b>Davet ettiğiniz arkadaşlar:</b> { $invited }
    <b>Toplam kazanç:</b> { $earned }
    <b>Son ödüller:</b>
    { $last }
invite-earning = { $time } · +{ $amount }
invite-no-earnings = henüz yok
invite-share = Takipçi, beğeni ve izlenme için şu mağazaya bir göz at
kind-promo = promosyon kodu
promo-ask = Promosyon kodunuzu gönderin.
promo-not-text = Lütfen kodu metin olarak gönderin.
promo-gift = 🎁 <b>{ $code }</b> kodu bakiyenize { $amount } ekledi.
promo-discount = 🏷 <b>{ $code }</b> kodu bir sonraki siparişinizde %{ $amount } indirim sağlar. İndirimi sipariş özetinde göreceksiniz.
promo-unknown = Böyle bir promosyon kodu yok. Lütfen kontrol edip yeniden gönderin.
promo-expired = <b>{ $code }</b> kodunun süresi doldu.
promo-used-up = <b>{ $code }</b> kodunun kullanım hakkı bitti.
promo-already = <b>{ $code }</b> kodunu zaten kullandınız.
promo-not-new = <b>{ $code }</b> kodu yalnızca yeni müşteriler için geçerlidir.

## Yönetici uyarıları

admin-below-cost = ⚠ Hizmet { $service } ({ $name }) { $charge } { $currency } fiyatla satılacak; bu, { $cost } { $currency } olan maliyetinin altında. Kâr oranı düzeltilene kadar bu hizmetin siparişleri reddedilecek.
admin-panel-problem = ⚠ Sipariş #{ $order }, { $panel } paneli tarafından reddedildi: { $reason }. O panelin API anahtarını ve bakiyesini kontrol edin.
admin-order-unknown = ⚠ Sipariş #{ $order } (kullanıcı { $user }): panelin yeni siparişe verdiği yanıt kayboldu. Paneli kontrol edin ve siparişi /review ile sonuçlandırın.
admin-order-late-answer = ⚠ Sipariş #{ $order }: panel yeni siparişe geç yanıt verdi ({ $answer }); sipariş o sırada { $state } olarak sonuçlandırılmıştı. Hiçbir şey değiştirilmedi: paneli kontrol edin, sipariş orada çalışıyorsa /review ile bağlayın.

## Yöneticiler dışındaki herkes için engeller

banned = Bu mağazaya erişiminiz askıya alındı. Bunun bir hata olduğunu düşünüyorsanız mağaza sahibiyle iletişime geçin.
maintenance = Mağaza şu anda bakımda. Lütfen biraz sonra tekrar uğrayın — bakiyeniz ve siparişleriniz güvende.

## Mağaza sahibinin işlemleri üzerine müşteriye giden mesajlar

notice-credited = 💰 Bakiyenize { $amount } eklendi. { $reason }
notice-debited = Bakiyenizden { $amount } düşüldü. { $reason }
notice-order-confirmed = ✅ Sipariş #{ $order } tedarikçimiz tarafından onaylandı ve işleme alındı.
notice-order-refunded = ↩ Sipariş #{ $order } verilemedi. { $refund } bakiyenize iade edildi.
notice-order-recharged = ✅ Sipariş #{ $order } tedarikçimizde yine de işleme alınmış; bu yüzden { $amount } tutarındaki ücret bakiyenizden yeniden düşüldü. Tamamlandığında size haber vereceğiz.

## Yönetim konsolu

admin-health =
    <b>Durum</b>
    Son başarılı durum sorgusu: { $poll }
    Son katalog eşitlemesi: { $sync }
    Son Stars mutabakatı: { $stars }
    Gönderilmeyi bekleyen mesajlar: { $backlog }
    Arka plan işlerini yürüten: { $poller }
admin-health-never = hiç yapılmadı
admin-health-lease-here = bu süreç ({ $holder })
admin-health-lease-other = başka bir süreç ({ $holder })
admin-health-lease-none = hiçbir süreç (sorgu yapılmıyor: bot çalışıyor mu?)
admin-help-admin = /admin — bu liste
admin-help-stats = /stats [gün] — kullanıcılar, siparişler, ciro, maliyet ve kâr; son 30 günün (ya da istediğiniz gün sayısının) grafiğiyle
admin-help-export = /export orders|ledger [gün], /export users — tablo programı için CSV dosyası
admin-help-panel = /panel — her panelin bakiyesi
admin-help-user = /user &lt;id|@kullanıcıadı&gt; — müşteri profili
admin-help-credit = /credit &lt;kullanıcı&gt; &lt;tutar&gt; [sebep] — bakiyeye ekle
admin-help-debit = /debit &lt;kullanıcı&gt; &lt;tutar&gt; [sebep] — bakiyeden düş
admin-help-ban = /ban &lt;kullanıcı&gt; — müşteriyi yasakla
admin-help-unban = /unban &lt;kullanıcı&gt; — yasağı kaldır
admin-help-order = /order &lt;id&gt; — sipariş ve paneldeki ayrıntıları
admin-help-review = /review — karar bekleyen siparişler; /review &lt;sipariş id&gt; açık herhangi bir siparişi sonuçlandırır
admin-help-markup = /markup &lt;yüzde&gt; [category &lt;ad&gt; | service &lt;panel:id&gt; | panel &lt;ad&gt;] — kâr oranını ayarla
admin-help-hide = /hide service &lt;panel:id&gt; | category &lt;ad&gt; | panel &lt;ad&gt; — satıştan kaldır
admin-help-show = /show service &lt;panel:id&gt; | category &lt;ad&gt; | panel &lt;ad&gt; — yeniden satışa koy
admin-help-sync = /sync — tüm panellerin kataloğunu şimdi eşitle
admin-help-broadcast = /broadcast — bir mesaja bu komutla yanıt verin, o mesaj tüm müşterilere gönderilsin
admin-help-maintenance = /maintenance on|off — mağazayı müşterilere kapat veya aç
admin-help-tickets = /tickets — açık destek konuşmaları, en eskisi önce
admin-help-close = /close — bir müşterinin mesajına bununla yanıt vererek o konuşmayı kapat

admin-usage-user = Kullanım: /user &lt;id|@kullanıcıadı&gt;
admin-usage-credit = Kullanım: /credit &lt;kullanıcı id|@kullanıcıadı&gt; &lt;tutar&gt; [sebep]
admin-usage-debit = Kullanım: /debit &lt;kullanıcı id|@kullanıcıadı&gt; &lt;tutar&gt; [sebep]
admin-usage-ban = Kullanım: /ban &lt;kullanıcı id|@kullanıcıadı&gt;
admin-usage-stats = Kullanım: /stats [gün], 1 ile { $most } arasında
admin-usage-unban = Kullanım: /unban &lt;kullanıcı id|@kullanıcıadı&gt;
admin-usage-order = Kullanım: /order &lt;sipariş id&gt;
admin-usage-export = Kullanım: /export orders [gün], /export ledger [gün] veya /export users (gün { $low } ile { $high } arası)
admin-export-orders = Siparişler
admin-export-ledger = Hesap hareketleri
admin-export-users = Kullanıcılar
admin-export-caption = { $what }{ $days ->
        [0] {""}
       *[other] , son { $days } gün
    }: { $rows } satır{ $parts ->
        [1] {""}
       *[other] , bölüm { $part }/{ $parts }
    }
admin-usage-review = Kullanım: /review ya da /review &lt;sipariş id&gt;
admin-usage-markup = Kullanım: /markup &lt;yüzde&gt; [category &lt;ad&gt; | service &lt;panel:id&gt; | panel &lt;ad&gt;] (-99 ile 10000 arası). Hizmet main:101 gibi yazılır; yalnızca 101, ana paneldekini gösterir.
admin-usage-hide = Kullanım: /hide veya /show, ardından service &lt;panel:id&gt; (ör. main:101), category &lt;ad&gt; ya da panel &lt;ad&gt;
admin-usage-maintenance = Kullanım: /maintenance on|off
admin-no-user = Böyle bir kullanıcı yok.
admin-ambiguous-user = { $username } adıyla kayıtlı birden fazla kullanıcı var (eski bir hesap bu adı hâlâ taşıyor): { $ids }. Lütfen bunun yerine sayısal kimliği kullanın.
admin-no-order = Böyle bir sipariş yok.

admin-stats =
    <b>Kullanıcılar:</b> { $users } · son 7 günde aktif: { $active } · botu engelleyen: { $blocked } · yasaklı: { $banned }
    <b>Bakiyelerdeki toplam:</b> { $balances }
    <b>Duruma göre siparişler:</b> { $states }

    { $periods }

    { $panels }
admin-stats-period = <b>{ $period }:</b> sipariş: { $orders } · ciro: { $revenue } · maliyet: { $cost } · kâr: { $margin } · davet ödülleri: { $referrals }
period-today = Bugün
period-7d = Son 7 gün
period-30d = Son 30 gün
admin-stats-chart = Son { $days } gün
chart-money-title = Günlük ciro, maliyet ve kâr ({ $currency })
chart-orders-title = Günlük sipariş sayısı
chart-revenue = Ciro
chart-cost = Maliyet
chart-margin = Kâr
chart-orders = Siparişler
digest =
    <b>Dün, { $day }</b>
    Siparişler: { $orders } · ciro { $revenue } · maliyet { $cost } · kâr { $margin }
    { $panel }
    /review'da bekleyen: { $waiting }
    <b>En çok satan hizmetler:</b>
    { $top }
digest-panel = { $panel } paneli bakiyesi: { $balance }
digest-panel-error = { $panel } paneli bakiyesi: bilinmiyor, panel yanıt vermedi
digest-top-line = { $name }: { $orders } · { $revenue }
digest-top-none = sipariş yok
admin-panel = { $panel } paneli: <b>{ $balance }</b>
admin-panel-error = { $panel } paneli düzgün yanıt vermedi: { $error }
admin-user =
    <b>Kullanıcı { $id }</b> · { $name } · { $username }
    Bakiye: { $balance } · sipariş: { $orders }
    { $banned ->
        [true] Yasaklı
       *[false] Yasaklı değil
    } · { $blocked ->
        [true] botu engelledi
       *[false] mesaj gönderilebilir
    } · son görülme: { $seen }
    { $recent }
admin-order-line = #{ $order } { $service } · { $state } · { $charge }
admin-user-referral = Davet eden: { $referrer } · davet ettiği: { $invited } · davet ödülleri: { $earned }
admin-user-no-referrer = kimse
admin-adjusted = Tamam. Kullanıcı { $id } için yeni bakiye: { $balance }.
admin-adjust-replayed = Bu komut zaten uygulanmıştı. Kullanıcı { $id } bakiyesi: { $balance }.
admin-debit-too-big = Bakiye ({ $balance }) bu tutarı düşmeye yetmiyor. Hiçbir şey değişmedi.
admin-banned = Kullanıcı { $id } yasaklandı.
admin-unbanned = Kullanıcı { $id } için yasak kaldırıldı.
admin-order =
    <b>Sipariş #{ $order }</b> · kullanıcı { $user }
    Hizmet { $panel }:{ $service_id } { $service }{ $backup }
    Durum: { $state } · paneldeki durum: { $status }
    Panel id: { $upstream } · panelin aldığı ücret: { $upstream_charge } · beklenen maliyet: { $cost }
    Bizim ücretimiz: { $charge } · miktar: { $quantity } · kalan: { $remains }
    Sipariş tarihi: { $created }
    { $fields }
    Panelin yanıtı: { $error }
admin-review-empty = Karar bekleyen sipariş yok.
admin-btn-attach = 🔗 Panel id'sini bağla
admin-btn-refund = ↩ Verilmedi: iade et
admin-ask-upstream = Sipariş #{ $order } için paneldeki sipariş id'sini gönderin (yalnızca rakam) ya da /cancel yazın.
admin-btn-completed = ✅ Teslim edildi: iade yok
admin-btn-refunded = ↩ Teslim edilmedi: tamamını iade et
admin-btn-partial = ½ Kısmen: bir tutar iade et
admin-btn-resume = 🔄 Yeniden takip et
admin-ask-refund = Sipariş #{ $order } için iade edilecek tutarı gönderin (örneğin 1.50) ya da /cancel yazın.
admin-settled-done = Sipariş #{ $order } sonuçlandırıldı; müşteriye bilgi verildi.
admin-settled-not_unknown = Sipariş #{ $order } karar beklemiyor (zaten sonuçlandırılmış olabilir).
admin-settled-id_taken = Bu panel id'si zaten başka bir siparişe ait. Hiçbir şey değişmedi.
admin-settled-not_open = Sipariş #{ $order } için karar verilecek bir şey yok: sonuçlanmış ya da hâlâ veriliyor.
admin-settled-too_much = Bu tutar sipariş #{ $order } ücretinden fazla. Hiçbir şey değişmedi.
admin-settled-shortfall = Sipariş #{ $order } yeniden takip edilecekse müşteriden { $charge } yeniden alınmalı, ancak bakiyesi { $balance }. Hiçbir şey değişmedi: bakiyesine ekleme yapın ya da siparişi başka şekilde sonuçlandırın.
admin-settled-recharged = Sipariş #{ $order } yeniden takip ediliyor; müşteriden { $charge } yeniden alındı ve müşteriye bilgi verildi.
admin-settled-discount_spent = Sipariş #{ $order } verilemediğinde promosyon indirimini geri verdi ve o indirim sonradan başka bir siparişte kullanıldı: bağlamak müşteriye indirimi iki kez vermiş olur. Hiçbir şey değişmedi: başka bir yolla sonuçlandırın (örneğin /debit ile).
admin-markup-set = { $target } için kâr oranı artık %{ $percent }.
admin-markup-global = Mağaza genelindeki kâr oranı artık %{ $percent }.
admin-usage-referral = Kullanım: /referral &lt;yüzde&gt; (0 ile { $high } arası; 0 ödülleri kapatır)
admin-referral-set = Davet ödülü artık davet edilen müşterilerin siparişlerine ödediği tutarın %{ $percent } kadarı.
admin-referral =
    <b>Davet ödülü:</b> %{ $percent } (0 kapalı demektir)
    <b>En çok davet edenler:</b>
    { $top }
admin-referrer-line = { $name } ({ $id }) · davet: { $invited } · kazanç: { $earned }
admin-referral-none = henüz kimse kimseyi davet etmedi
admin-hidden = { $target } müşterilerden gizlendi.
admin-shown = { $target } yeniden satışta.
admin-synced = { $panel } paneli eşitlendi: yeni: { $added }, değişen: { $changed }, kaldırılan: { $removed }, toplam: { $total }.
admin-maintenance-on = Bakım modu AÇIK: müşteriler bir bildirim görüyor, yöneticiler çalışmaya devam ediyor.
admin-maintenance-off = Bakım modu KAPALI: mağaza açık.

## Komut menüleri

cmd-start = Ana menü
cmd-search = Hizmet ara
cmd-language = Dili değiştir
cmd-cancel = Yapılan işlemi durdur
cmd-help = Mağaza nasıl çalışır?
cmd-support = Desteğe yaz
cmd-promo = Promosyon kodu kullan
cmd-admin = Yönetici komutları
cmd-stats = Mağaza istatistikleri
cmd-export = Siparişleri, işlemleri ya da kullanıcıları CSV olarak indir
cmd-review = Karar bekleyen siparişler
cmd-user = Müşteri ara
cmd-order = Sipariş ara
cmd-panel = Panel bakiyesi
cmd-broadcast = Tüm müşterilere mesaj gönder
cmd-maintenance = Mağazayı kapat veya aç
cmd-tickets = Açık destek konuşmaları
cmd-close = Bir destek konuşmasını kapat (yanıt olarak)
cmd-referral = Davet ödülü ve en çok davet edenler
admin-panel-low = ⚠ { $panel } panelinin bakiyesi { $balance } { $currency }; bu, { $threshold } { $currency } olan uyarı eşiğinin altında. Siparişler aksamasın diye panele bakiye yükleyin.

## Toplu mesajlar

broadcast-usage = Bir mesajı (metin ya da açıklamalı fotoğraf) tüm müşterilere göndermek için o mesaja /broadcast ile yanıt verin.
broadcast-confirm =
    { $count ->
        [one] Yukarıdaki mesaj bir müşteriye gönderilsin mi?
       *[other] Yukarıdaki mesaj { $count } müşteriye gönderilsin mi?
    }
btn-broadcast-send = 📣 Gönder
btn-stop-broadcast = ⏹ Durdur
broadcast-progress = 📣 Gönderiliyor… gönderilen: { $sent }, engelleyen: { $blocked }, başarısız: { $failed }, bekleyen: { $pending } (yaklaşık { $seconds } sn kaldı).
broadcast-done = ✅ Toplu mesaj tamamlandı. Gönderilen: { $sent }, botu engelleyen: { $blocked }, başarısız: { $failed }.
broadcast-cancelled = Toplu mesaj durduruldu. Gönderilen mesaj sayısı: { $sent }.
broadcast-not-draft = Bu toplu mesaj zaten başlatılmış ya da iptal edilmiş.
broadcast-not-running = Bu toplu mesajın gönderimi artık devam etmiyor.

## Sipariş takibi: durum ve telafi kontrollerinin sıraya aldığı bildirimler (tutarlar biçimlendirilmiş gelir)

push-in-progress = 🔵 Sipariş #{ $order } ({ $service }) başladı.
push-completed = ✅ Sipariş #{ $order } ({ $service }) tamamlandı. Teşekkür ederiz!
push-partial =
    🟡 Sipariş #{ $order } ({ $service }) yalnızca kısmen teslim edildi.
    Teslim edilmeyen kısım için <b>{ $refund }</b> bakiyenize iade edildi.
push-canceled =
    ✖ Sipariş #{ $order } ({ $service }) iptal edildi.
    <b>{ $refund }</b> bakiyenize iade edildi.
push-refunded =
    ↩ Sipariş #{ $order } ({ $service }) tedarikçi tarafından iade edildi.
    <b>{ $refund }</b> bakiyenize iade edildi.
push-referral-earned = 🤝 Davet ettiğiniz bir arkadaşınızın siparişi tamamlandı: ödülünüz olan <b>{ $amount }</b> bakiyenize eklendi.
push-refill-done = 🔄 Sipariş #{ $order } ({ $service }) için telafi tamamlandı.
push-refill-rejected = Tedarikçi, sipariş #{ $order } ({ $service }) için telafi talebini reddetti.

## Takipten gelen yönetici uyarıları

admin-charge-mismatch = ⚠ Sipariş #{ $order }: panel { $charged } { $currency } ücret aldı, biz { $expected } { $currency } bekliyorduk. Panelin bu hizmet türünü nasıl fiyatlandırdığını kontrol edin.
admin-review-refused = ⚠ Sipariş #{ $order } (kullanıcı { $user }): panel, { $upstream } numaralı siparişin durumunu üst üste { $polls } kez bildirmeyi reddetti ({ $answer }). Sipariş /review listesinde bekliyor: panel sipariş numarasını orada kontrol edin.
admin-review-left-out = ⚠ Sipariş #{ $order } (kullanıcı { $user }): panel, { $upstream } numaralı siparişi üst üste { $polls } kez yanıtına koymadı. Sipariş /review listesinde bekliyor: panel sipariş numarasını orada kontrol edin.
admin-review-status = ⚠ Sipariş #{ $order } (kullanıcı { $user }): panel üst üste { $polls } kez botun tanımadığı “{ $status }” durumunu bildirdi. Sipariş /review listesinde bekliyor: siparişi panelde kontrol edip orada sonuçlandırın.
admin-review-refund = ⚠ Sipariş #{ $order } (kullanıcı { $user }): panel siparişi { $status } olarak bildirdi, ama iadeyi hesaplamaya yarayacak bir ücret ya da kalan miktar göndermedi. Sipariş /review listesinde bekliyor: iade tutarına orada karar verin.

## Bakiye yükleme: tutarlar ve yöntemler

btn-topup-other = ✏ Başka tutar
btn-topup-stars = ⭐ Telegram Yıldızları ({ $stars } ⭐)
btn-topup-manual = 🧾 Doğrudan mağaza sahibine öde
topup-choose-amount =
    <b>Bakiye yükleme</b>
    Bir tutar seçin ya da kendiniz yazmak için <b>Başka tutar</b> butonuna dokunun ({ $min } ile { $max } arası).
topup-ask-amount = Yüklenecek tutarı <b>{ $min }</b> ile <b>{ $max }</b> arasında gönderin (örneğin 15 veya 12,50).
topup-amount-invalid = Bu bir tutara benzemiyor. 15 veya 12,50 gibi bir sayı gönderin.
topup-choose-method =
    <b>Yüklenecek tutar: { $amount }</b>
    Nasıl ödemek istersiniz?
topup-no-methods = Bakiye yükleme şu anda kullanılamıyor. Lütfen mağaza sahibiyle iletişime geçin.

# Retler: sohbette, kısa bir uyarıda ya da Telegram tarafından ödeme formunda gösterilir (düz metin).
topup-refused-banned = Hesabınızla bu mağazada ödeme yapılamıyor.
topup-refused-maintenance = Mağaza şu anda bakımda. Lütfen biraz sonra tekrar deneyin.
topup-refused-unknown = Bu fatura artık geçerli değil. Lütfen bakiye yüklemeyi bakiye ekranından yeniden başlatın.
topup-refused-bounds = Yüklenecek tutar { $min } ile { $max } arasında olmalı.
topup-refused-off = Bu ödeme yöntemi şu anda kullanılamıyor.
topup-refused-waiting = Mağaza sahibinin kontrolünü bekleyen bakiye yükleme talepleriniz zaten var. Yeni bir talep göndermeden önce lütfen bunların sonuçlanmasını bekleyin.
topup-refused-often = Son bir saat içinde çok fazla bakiye yükleme talebi gönderdiniz. Lütfen daha sonra tekrar deneyin.

## Telegram Yıldızları

# Fatura: başlık en fazla 32, açıklama en fazla 255 karakter olabilir.
topup-invoice-title = Bakiye yükleme
topup-invoice-description = Bu mağazadaki bakiyenize { $amount } ekler.
topup-invoice-label = Bakiye yükleme: { $amount }
topup-invoice-failed = Bu tutar için şu anda Yıldızlarla ödeme yapılamıyor. Başka bir tutar deneyin ya da doğrudan mağaza sahibine ödeyin.
topup-stars-paid = ✅ Ödeme alındı: bakiyenize { $amount } eklendi. Bakiyeniz: <b>{ $balance }</b>.
topup-stars-unmatched = Bu ödemeyi bir bakiye yüklemesiyle eşleştiremedik, bu yüzden Yıldızlarınız iade edildi. Lütfen bakiye yüklemeyi bakiye ekranından yeniden başlatın.
topup-stars-unmatched-kept = Bu ödemeyi bir bakiye yüklemesiyle eşleştiremedik. Mağaza sahibine bilgi verildi; durumu kendisi çözecek.
topup-stars-refunded = ↩ Bakiye yükleme #{ $payment } için yaptığınız Yıldız ödemesi iade edildi ve bakiyenizden { $amount } düşüldü.
kind-topup-reversed = bakiye yükleme iadesi

## Manuel bakiye yükleme

topup-manual-ask =
    <b>Mağaza sahibine { $amount } ödeyin</b>
    { $info }

    Ardından buraya nasıl ve ne zaman ödediğinizi anlatan kısa bir not gönderin (en fazla { $max } karakter). Mağaza sahibi kontrol edip bakiyenize ekleyecek.
topup-manual-info-default = Ödeme bilgileri için mağaza sahibiyle iletişime geçin.
topup-note-empty = Lütfen birkaç kelime yazın: nasıl ve ne zaman ödediniz?
topup-note-too-long = Bu not çok uzun ({ $length } karakter). Lütfen en fazla { $max } karakter yazın.
topup-manual-sent = 🧾 { $amount } tutarındaki talebiniz (#{ $payment }) gönderildi. Mağaza sahibi kontrol eder etmez size haber vereceğiz.
topup-approved = ✅ Bakiye yükleme talebiniz (#{ $payment }) onaylandı: { $amount } eklendi. Bakiyeniz: <b>{ $balance }</b>.
topup-rejected = { $amount } tutarındaki bakiye yükleme talebiniz (#{ $payment }) onaylanmadı. Bunun bir hata olduğunu düşünüyorsanız mağaza sahibiyle iletişime geçin.

## Bakiye yükleme: yöneticiler

btn-topup-approve = ✅ Onayla
btn-topup-reject = ✖ Reddet
admin-topup-request =
    🧾 <b>Bakiye yükleme talebi #{ $payment }</b>
    <b>Gönderen:</b> { $name } (id <code>{ $user }</code>)
    <b>Tutar:</b> { $amount }
    <b>Tarih:</b> { $created }
    <b>Not:</b> { $note }
admin-topup-paid = ✅ { $admin } tarafından onaylandı.
admin-topup-rejected = ✖ { $admin } tarafından reddedildi.
admin-topup-already =
    { $state ->
        [paid] Zaten { $admin } tarafından onaylandı.
       *[rejected] Zaten { $admin } tarafından reddedildi.
    }
admin-topup-none = Bekleyen bakiye yükleme talebi yok.
admin-stars-unmatched =
    ⚠ Bir Yıldız ödemesi hiçbir bakiye yüklemesiyle eşleşmedi: ödeme id <code>{ $charge }</code>, { $stars } ⭐, kullanıcı { $user }.
    { $returned ->
        [true] Yıldızlar kullanıcıya iade edildi.
       *[false] Yıldızlar iade edilemedi: tutarı kullanıcının bakiyesine elle ekleyin ya da Yıldızları Telegram üzerinden iade edin.
    }
admin-refund-usage = Kullanım: /refund_stars charge_id — Yıldızlarla yapılmış bir bakiye yüklemesinin Telegram ödeme id'si (charge id).
admin-refund-unknown = Ödeme id'si <code>{ $charge }</code> olan, ödenmiş bir Yıldız yüklemesi yok.
admin-refund-already = Bu Yıldız yüklemesi zaten iade edilmiş.
admin-refund-spent = İade edilmedi: kullanıcı parayı zaten harcamış (bakiye: { $balance }, yükleme: { $amount }). Hiçbir şey değişmedi.
admin-refund-done = ↩ Bakiye yükleme #{ $payment } için Yıldızlar iade edildi (kullanıcı { $user }); bakiyesinden { $amount } düşüldü.
admin-refund-failed = Telegram iadeyi reddetti ({ $error }). { $amount } kullanıcının bakiyesine geri eklendi, hiçbir şey iade edilmedi. Telegram'ın Yıldızları geri verip vermediğinden emin değilseniz komutu tekrar çalıştırın: zaten iade edilmiş bir ödeme bu durumda iade edildi olarak kaydedilir.
admin-refund-doubt = ⚠ <code>{ $charge }</code> iadesine Telegram'ın verdiği yanıt kayboldu ({ $error }); Yıldızların geri verilip verilmediği henüz belli değil. Durum netleşene kadar { $amount } kullanıcının bakiyesinden düşülmüş olarak kalır: Telegram'ın Yıldız kayıtlarının bir sonraki kontrolü bunu netleştirir, ya da /refund_stars { $charge } komutunu tekrar çalıştırın.
admin-refund-overtaken = Telegram <code>{ $charge }</code> iadesini reddetti ({ $error }), ancak bu arada iade yeniden istendi ya da sonuçlandı; geçerli olan o sonuçtur. Hiçbir şey değişmedi.
# Telegram'ın botun Yıldız kayıtlarıyla (getStarTransactions) mutabakat.
admin-stars-reconciled = ⚠ Telegram'ın kayıtlarında botun bakiyeye eklemediği bir Yıldız ödemesi bulundu ve şimdi eklendi: bakiye yükleme #{ $payment }, { $amount }, kullanıcı { $user }, ödeme id <code>{ $charge }</code>.
admin-stars-refund-settled = ↩ Telegram'ın kayıtları <code>{ $charge }</code> iadesinin yapıldığını gösteriyor (bakiye yükleme #{ $payment }, kullanıcı { $user }): iade edildi olarak kaydedildi ve kullanıcıya bilgi verildi.
admin-stars-refund-restored = ⚠ <code>{ $charge }</code> iadesi (bakiye yükleme #{ $payment }, kullanıcı { $user }) Telegram'da hiç gerçekleşmedi: { $amount } kullanıcının bakiyesine geri eklendi. Hâlâ iade edilmesi gerekiyorsa /refund_stars { $charge } komutunu tekrar çalıştırın.
admin-stars-refunded-outside = ⚠ Telegram'ın kayıtlarına göre <code>{ $charge }</code> ödemesinin Yıldızları iade edilmiş (bakiye yükleme #{ $payment }, kullanıcı { $user }), ama yüklenen tutar hâlâ kullanıcının bakiyesinde. Geri almak için /refund_stars { $charge } komutunu çalıştırın.
# Yöneticilerin /admin listesi (handlers/admin.py COMMANDS) ve komut menüsü (bot/commands.py ADMIN) için.
admin-help-topups = /topups — karar bekleyen manuel bakiye yükleme talepleri
admin-help-refund_stars = /refund_stars &lt;ödeme id&gt; — bir Yıldız yüklemesini iade et (tutar önce bakiyeden düşülür)
admin-help-referral = /referral [yüzde] — davet ödülü (0 kapatır) ve en çok davet edenler
admin-help-promo = /promo add KOD gift &lt;tutar&gt; | discount &lt;yüzde&gt; [uses &lt;n&gt;] [until &lt;tarih&gt;] [new], /promo list, /promo off KOD — promosyon kodları
admin-promo-usage = Kullanım:
    /promo add KOD gift &lt;tutar&gt; [uses &lt;n&gt;] [until &lt;tarih&gt;] [new]
    /promo add KOD discount &lt;yüzde&gt; [uses &lt;n&gt;] [until &lt;tarih&gt;] [new]
    /promo list
    /promo off KOD
    KOD 3 ile 32 arası harf ve rakamdan oluşur (A-Z, 0-9). Tarih: 31.12.2026, 31/12/2026, 31-12-2026 veya 2026-12-31; kod o günün sonuna kadar (UTC) geçerlidir. new: yalnızca henüz ücretli siparişi olmayan müşteriler.
admin-promo-exists = <b>{ $code }</b> promosyon kodu zaten var. Lütfen başka bir kod seçin.
admin-promo-added = Promosyon kodu oluşturuldu: { $promo }
admin-promo-off = <b>{ $code }</b> promosyon kodu kapatıldı: artık kimse kullanamaz. Önceden alınmış indirimler geçerli kalır.
admin-promo-not-found = <b>{ $code }</b> adında etkin bir promosyon kodu yok.
admin-promo-none = Henüz promosyon kodu yok. /promo add ile oluşturabilirsiniz.
admin-promo-line = <b>{ $code }</b>: { $kind ->
        [gift] { $amount } hediye
       *[discount] sonraki siparişte %{ $amount } indirim
    }, kullanım: { $uses }{ $max ->
        [none] {""}
       *[other] /{ $max }
    }{ $until ->
        [none] {""}
       *[other] , son gün { $until }
    }{ $new ->
        [true] , yalnızca yeni müşteriler
       *[false] {""}
    }{ $active ->
        [true] {""}
       *[false] {" "}(kapalı)
    }
cmd-topups = Bekleyen bakiye yükleme talepleri

btn-order-again = 🔁 Tekrar sipariş ver
order-again-gone = Bu hizmet artık sunulmuyor, bu yüzden bu sipariş tekrarlanamıyor. Lütfen katalogdan başka bir hizmet seçin.
order-again-changed = ℹ️ Bu hizmet o siparişten bu yana değişti; lütfen soruları yeniden yanıtlayın.

## Birden çok panel
reason-rate = tedarikçinin bu hizmet için fiyatı az önce değişti; birazdan tekrar deneyin.
admin-order-backup = { " " }(müşteri { $service } hizmetini seçti; siparişi yedeği karşıladı)
admin-stats-panels = <b>Panel bazında, 30 gün:</b>
admin-stats-panel = { $panel }: sipariş: { $orders } (yedek olarak: { $backups }) · ciro: { $revenue } · maliyet: { $cost } · kâr: { $margin }
admin-backup-used = ↪ Sipariş #{ $order }: { $service } reddedildi ({ $reason }); sipariş, müşterinin kabul ettiği fiyatla yedek hizmet { $backup } üzerinden verildi.
admin-help-backup = /backup &lt;panel:id&gt; &lt;panel:id&gt; | off — paneli reddettiğinde siparişin gideceği hizmet
admin-usage-backup = Kullanım: /backup main:101 second:2001 (yedek başka bir panelde ve aynı türde olmalı) ya da /backup main:101 off
admin-backup-set = Paneli bir siparişi reddettiğinde { $service } artık { $backup } üzerinden verilecek (müşterinin kabul ettiği fiyatı hiç aşmadan).
admin-backup-off = { $service } için artık yedek yok.
admin-backup-unknown = Böyle bir hizmet yok. panel:id biçiminde yazın, ör. second:2001 (bkz. /sync).
admin-backup-same-panel = Yedek başka bir panelde olmalı: aynı panel onu da reddeder.
admin-backup-other-type = Yedek aynı türde olmalı ki müşteriye aynı soruları sorsun.
