/* templates.c — the texts of SMS and e-mail messages, one row per template
 * (and variant) with Azerbaijani, English and Russian side by side, and
 * the renderer that fills {placeholders} from a message's JSON payload
 * ({name?} is optional: empty when the payload lacks it; a missing {name}
 * is an error, so a message never goes out with a hole in it).
 *
 * SMS: texts with Azerbaijani or Cyrillic letters travel as UCS-2, where
 * one part holds 70 characters, so the az and ru texts are kept within 70
 * with a sample reference; the English ones use only GSM-7 characters
 * (the brand written "Pencere") and stay within 160.  Details belong in
 * the e-mail and on the portal, not in the SMS.
 *
 * E-mail: a subject line and a plain-text body; every body ends with the
 * same signature block (FOOTER).  Values are shown as the payload gives
 * them: whoever queues a message puts in what it shows, in the message's
 * language (a service's name, a case's state in words). */
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define OTC_SAMPLE(purpose) "{\"code\":\"K7M2P9QXA3\",\"minutes\":30,\"purpose\":\"" purpose "\"}"
#define REF "\"reference\":\"AZ-2026-00012345\""

static const struct nt_template templates[] = {
    {"one-time-code", "purpose=activate", OTC_SAMPLE("activate"),
     {"Pəncərə kodu: {code}. {minutes} dəq. etibarlıdır. Heç kimə deməyin.",
      "Pencere account activation code: {code}. Valid for {minutes} min. Never share it: staff will never ask for it.",
      "Код Pəncərə: {code}. Действует {minutes} мин. Никому не сообщайте."},
     {"Pəncərə: hesabın aktivləşdirilməsi üçün kod",
      "Pəncərə: your account activation code",
      "Pəncərə: код для активации учётной записи"},
     {"Salam!\n\n"
      "Pəncərə portalında hesabınızı aktivləşdirmək üçün birdəfəlik kodunuz:\n\n"
      "    {code}\n\n"
      "Kod {minutes} dəqiqə etibarlıdır. Onu heç kimə deməyin: portalın əməkdaşları kodu heç vaxt soruşmur.\n\n"
      "Kodu siz istəməmisinizsə, bu məktubu nəzərə almayın.",
      "Hello,\n\n"
      "Your one-time code to activate your account on the Pəncərə portal is:\n\n"
      "    {code}\n\n"
      "The code is valid for {minutes} minutes. Do not tell it to anyone: portal staff will never ask for it.\n\n"
      "If you did not ask for this code, you can ignore this message.",
      "Здравствуйте!\n\n"
      "Ваш одноразовый код для активации учётной записи на портале Pəncərə:\n\n"
      "    {code}\n\n"
      "Срок действия кода — {minutes} мин. Никому его не сообщайте: сотрудники портала никогда не спрашивают код.\n\n"
      "Если вы не запрашивали код, просто не обращайте внимания на это письмо."}},

    {"one-time-code", "purpose=reset", OTC_SAMPLE("reset"),
     {"Pəncərə kodu: {code}. {minutes} dəq. etibarlıdır. Heç kimə deməyin.",
      "Pencere password reset code: {code}. Valid for {minutes} min. Never share it: staff will never ask for it.",
      "Код Pəncərə: {code}. Действует {minutes} мин. Никому не сообщайте."},
     {"Pəncərə: parolun bərpası üçün kod",
      "Pəncərə: your password reset code",
      "Pəncərə: код для восстановления пароля"},
     {"Salam!\n\n"
      "Pəncərə portalında parolunuzu bərpa etmək üçün birdəfəlik kodunuz:\n\n"
      "    {code}\n\n"
      "Kod {minutes} dəqiqə etibarlıdır. Onu heç kimə deməyin: portalın əməkdaşları kodu heç vaxt soruşmur.\n\n"
      "Kodu siz istəməmisinizsə, bu məktubu nəzərə almayın: parolunuz dəyişməyəcək.",
      "Hello,\n\n"
      "Your one-time code to reset your password on the Pəncərə portal is:\n\n"
      "    {code}\n\n"
      "The code is valid for {minutes} minutes. Do not tell it to anyone: portal staff will never ask for it.\n\n"
      "If you did not ask for this code, ignore this message: your password stays as it is.",
      "Здравствуйте!\n\n"
      "Ваш одноразовый код для восстановления пароля на портале Pəncərə:\n\n"
      "    {code}\n\n"
      "Срок действия кода — {minutes} мин. Никому его не сообщайте: сотрудники портала никогда не спрашивают код.\n\n"
      "Если вы не запрашивали код, просто не обращайте внимания на это письмо: пароль останется прежним."}},

    {"application-submitted", NULL, "{" REF ",\"service\":\"Sürücülük vəsiqəsinin dəyişdirilməsi\"}",
     {"Pəncərə: {reference} nömrəli müraciətiniz qeydə alındı.",
      "Pencere: your application {reference} has been received.",
      "Pəncərə: ваше заявление {reference} зарегистрировано."},
     {"Müraciətiniz qeydə alındı: {reference}",
      "Application received: {reference}",
      "Заявление зарегистрировано: {reference}"},
     {"Salam!\n\n"
      "«{service}» xidməti üzrə müraciətiniz qeydə alındı.\n\n"
      "Müraciətin nömrəsi: {reference}\n\n"
      "Müraciətin gedişini portalda «Müraciətlərim» bölməsində izləyə bilərsiniz. "
      "Statusu dəyişəndə sizə xəbər verəcəyik.",
      "Hello,\n\n"
      "Your application for the service “{service}” has been received.\n\n"
      "Application number: {reference}\n\n"
      "You can follow it on the portal under “My applications”. "
      "We will let you know when its status changes.",
      "Здравствуйте!\n\n"
      "Ваше заявление на услугу «{service}» зарегистрировано.\n\n"
      "Номер заявления: {reference}\n\n"
      "Следить за его рассмотрением можно на портале в разделе «Мои заявления». "
      "Мы сообщим, когда статус изменится."}},

    {"status-changed", NULL, "{" REF ",\"status\":\"under review\"}",
     {"Pəncərə: {reference} müraciətinin yeni statusu: {status}.",
      "Pencere: application {reference} is now: {status}.",
      "Pəncərə: заявление {reference}, новый статус: {status}."},
     {"Müraciətin statusu dəyişdi: {reference}",
      "Status update: application {reference}",
      "Статус заявления изменился: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli müraciətinizin statusu dəyişdi.\n\n"
      "Yeni status: {status}\n\n"
      "Ətraflı məlumat portalda, «Müraciətlərim» bölməsindədir.",
      "Hello,\n\n"
      "The status of your application {reference} has changed.\n\n"
      "New status: {status}\n\n"
      "The details are on the portal under “My applications”.",
      "Здравствуйте!\n\n"
      "Статус вашего заявления {reference} изменился.\n\n"
      "Новый статус: {status}\n\n"
      "Подробности — на портале в разделе «Мои заявления»."}},

    {"more-info-requested", NULL,
     "{" REF ",\"message\":\"Ünvanı təsdiq edən sənədin surətini əlavə edin.\"}",
     {"Pəncərə: {reference} üzrə əlavə məlumat lazımdır. Portala baxın.",
      "Pencere: more information is needed for application {reference}. Please see the portal.",
      "Pəncərə: по заявлению {reference} нужны сведения, см. портал."},
     {"Əlavə məlumat tələb olunur: {reference}",
      "More information needed: {reference}",
      "Нужны дополнительные сведения: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli müraciətinizə baxan əməkdaş əlavə məlumat istəyir:\n\n"
      "{message?}\n\n"
      "Cavabınızı və lazım olan sənədləri portalda, «Müraciətlərim» bölməsində göndərə bilərsiniz.",
      "Hello,\n\n"
      "The officer handling your application {reference} asks for more information:\n\n"
      "{message?}\n\n"
      "You can answer and add documents on the portal under “My applications”.",
      "Здравствуйте!\n\n"
      "Сотрудник, рассматривающий ваше заявление {reference}, просит дополнительные сведения:\n\n"
      "{message?}\n\n"
      "Ответить и приложить документы можно на портале в разделе «Мои заявления»."}},

    {"decided", "outcome=approved", "{" REF ",\"outcome\":\"approved\",\"reason\":\"\"}",
     {"Pəncərə: {reference} müraciəti üzrə müsbət qərar verildi.",
      "Pencere: your application {reference} has been approved.",
      "Pəncərə: по заявлению {reference} принято положительное решение."},
     {"Müraciətiniz təsdiq edildi: {reference}",
      "Application approved: {reference}",
      "Заявление одобрено: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli müraciətiniz üzrə müsbət qərar verildi.\n\n"
      "Qərarla portalda, «Müraciətlərim» bölməsində tanış ola bilərsiniz.",
      "Hello,\n\n"
      "Your application {reference} has been approved.\n\n"
      "You can read the decision on the portal under “My applications”.",
      "Здравствуйте!\n\n"
      "По вашему заявлению {reference} принято положительное решение.\n\n"
      "С решением можно ознакомиться на портале в разделе «Мои заявления»."}},

    {"decided", "outcome=refused",
     "{" REF ",\"outcome\":\"refused\",\"reason\":\"Təqdim olunan sənədlərin müddəti bitib.\"}",
     {"Pəncərə: {reference} üzrə imtina qərarı verildi. Səbəbi portalda.",
      "Pencere: your application {reference} has been refused. The reason is on the portal.",
      "Pəncərə: по заявлению {reference} отказано. Причина — на портале."},
     {"Müraciətiniz üzrə imtina: {reference}",
      "Application refused: {reference}",
      "Отказ по заявлению: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli müraciətiniz üzrə imtina qərarı verildi.\n\n"
      "Səbəb: {reason?}\n\n"
      "Qərarla portalda, «Müraciətlərim» bölməsində tanış ola bilərsiniz. "
      "Qərarla razı deyilsinizsə, ondan qanunla müəyyən olunmuş qaydada şikayət verə bilərsiniz.",
      "Hello,\n\n"
      "Your application {reference} has been refused.\n\n"
      "Reason: {reason?}\n\n"
      "You can read the decision on the portal under “My applications”. "
      "If you disagree with it, you may appeal as the law provides.",
      "Здравствуйте!\n\n"
      "По вашему заявлению {reference} принято решение об отказе.\n\n"
      "Причина: {reason?}\n\n"
      "С решением можно ознакомиться на портале в разделе «Мои заявления». "
      "Если вы не согласны с решением, его можно обжаловать в установленном законом порядке."}},

    {"result-ready", NULL, "{" REF "}",
     {"Pəncərə: {reference} müraciətinin nəticəsi hazırdır.",
      "Pencere: the result of your application {reference} is ready. Get it on the portal.",
      "Pəncərə: результат по заявлению {reference} готов."},
     {"Nəticə hazırdır: {reference}",
      "Result ready: {reference}",
      "Результат готов: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli müraciətinizin nəticəsi hazırdır.\n\n"
      "Nəticəni portalda, «Müraciətlərim» bölməsində görə və yükləyə bilərsiniz.",
      "Hello,\n\n"
      "The result of your application {reference} is ready.\n\n"
      "You can view and download it on the portal under “My applications”.",
      "Здравствуйте!\n\n"
      "Результат по вашему заявлению {reference} готов.\n\n"
      "Посмотреть и скачать его можно на портале в разделе «Мои заявления»."}},
    /* to the agency's officers */
    {"case-arrived", NULL, "{" REF ",\"service\":\"Sürücülük vəsiqəsinin dəyişdirilməsi\"}",
     {"Pəncərə: yeni müraciət {reference}.",
      "Pencere: new application {reference}.",
      "Pəncərə: новое заявление {reference}."},
     {"Yeni müraciət: {reference}",
      "New application: {reference}",
      "Новое заявление: {reference}"},
     {"Salam!\n\n"
      "Qurumunuza yeni müraciət daxil olub: {reference} — {service}.\n\n"
      "Müraciəti portalda «Daxil olan müraciətlər» bölməsində qeydə alın. Baxılma müddəti müraciətin səhifəsində göstərilib.",
      "Hello,\n\n"
      "A new application has arrived for your agency: {reference} — {service}.\n\n"
      "Register it on the portal under “Incoming applications”. The deadline is shown on the case page.",
      "Здравствуйте!\n\n"
      "В ваш орган поступило новое заявление: {reference} — {service}.\n\n"
      "Зарегистрируйте его на портале в разделе «Входящие заявления». Срок рассмотрения указан на странице заявления."}},

    {"citizen-responded", NULL, "{" REF "}",
     {"Pəncərə: {reference} üzrə vətəndaş cavab verdi.",
      "Pencere: the applicant answered on {reference}.",
      "Pəncərə: заявитель ответил по {reference}."},
     {"Vətəndaş cavab verdi: {reference}",
      "The applicant answered: {reference}",
      "Заявитель ответил: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli müraciət üzrə sorğunuza vətəndaş cavab verib.\n\n"
      "Cavabı portalda müraciətin səhifəsində görə və baxışı davam etdirə bilərsiniz.",
      "Hello,\n\n"
      "The applicant has answered your request on application {reference}.\n\n"
      "See the answer on the case page on the portal and continue the review.",
      "Здравствуйте!\n\n"
      "Заявитель ответил на ваш запрос по заявлению {reference}.\n\n"
      "Ответ виден на странице заявления на портале; рассмотрение можно продолжить."}},

    /* the register of information systems (src/isreg): a card's 20 days */
    {"isreg-deadline", "kind=before", "{\"kind\":\"before\",\"system\":\"AVIS\",\"id\":\"avis\",\"due\":\"2026-12-20\",\"days\":5}",
     {"Pəncərə: {system} kartı {due} tarixinədək reyestrə verilməlidir.",
      "Pencere: the card of {system} must be submitted to the register by {due}.",
      "Pəncərə: карточку {system} нужно подать в реестр до {due}."},
     {"Reyestr: {system} kartının son günü {due}",
      "Register: the card of {system} is due on {due}",
      "Реестр: срок подачи карточки {system} — {due}"},
     {"Salam!\n\n"
      "{system} ({id}) informasiya sisteminin yaradılması və ya dəyişməsi barədə kart {due} tarixinədək "
      "dövlət reyestrinə təqdim edilməlidir ({days} gün qalıb). Qanun dəyişiklikdən sonra 20 gün verir.\n\n"
      "Kartı portalda «İnformasiya sistemləri» bölməsində tamamlayıb təqdim edin.",
      "Hello,\n\n"
      "The card declaring the creation or change of the information system {system} ({id}) must be submitted "
      "to the state register by {due} ({days} days left). The law gives 20 days from the change.\n\n"
      "Complete and submit the card on the portal under “Information systems”.",
      "Здравствуйте!\n\n"
      "Карточку о создании или изменении информационной системы {system} ({id}) нужно подать в государственный "
      "реестр до {due} (осталось дней: {days}). Закон даёт 20 дней после изменения.\n\n"
      "Заполните и подайте карточку на портале в разделе «Информационные системы»."}},

    {"isreg-deadline", "kind=overdue", "{\"kind\":\"overdue\",\"system\":\"AVIS\",\"id\":\"avis\",\"due\":\"2026-12-20\",\"days\":3}",
     {"Pəncərə: {system} kartının müddəti {due} tarixində bitib.",
      "Pencere: the card of {system} was due on {due} and is late.",
      "Pəncərə: срок карточки {system} истёк {due}."},
     {"Reyestr: {system} kartı gecikir",
      "Register: the card of {system} is late",
      "Реестр: карточка {system} просрочена"},
     {"Salam!\n\n"
      "{system} ({id}) informasiya sisteminin kartı {due} tarixinədək təqdim edilməli idi; {days} gün gecikir. "
      "Qeydiyyatdan keçməmiş sistem üçün 300–500 manat cərimə nəzərdə tutulub.\n\n"
      "Kartı portalda «İnformasiya sistemləri» bölməsində təqdim edin; gecikmə günləri kartda qeyd olunacaq.",
      "Hello,\n\n"
      "The card of the information system {system} ({id}) was due by {due} and is {days} days late. "
      "An unregistered system risks a fine of 300–500 manat.\n\n"
      "Submit the card on the portal under “Information systems”; the days late are recorded on the card.",
      "Здравствуйте!\n\n"
      "Карточку информационной системы {system} ({id}) нужно было подать до {due}; просрочка — дней: {days}. "
      "За незарегистрированную систему предусмотрен штраф 300–500 манатов.\n\n"
      "Подайте карточку на портале в разделе «Информационные системы»; дни просрочки будут отмечены в карточке."}},
    /* the online queue (src/queue) */
    {"queue-booked", NULL, "{\"code\":\"K7M2P9QX\",\"centre\":\"Bakı 1\",\"time\":\"2026-12-08 10:30\"}",
     {"Pəncərə: növbə {code}, {time}, {centre}.",
      "Pencere: your visit {code} is booked for {time}. Details on the portal.",
      "Pəncərə: запись {code}, {time}, {centre}."},
     {"Növbəyə yazıldınız: {time}",
      "Your visit is booked: {time}",
      "Вы записаны на приём: {time}"},
     {"Salam!\n\n"
      "{centre} mərkəzində {time} üçün növbəyə yazıldınız.\n\n"
      "Təsdiq kodu: {code}\n\n"
      "Gəldikdə kodu qeydiyyat masasına deyin. Vaxtı dəyişmək və ya ləğv etmək üçün portala daxil olun.",
      "Hello,\n\n"
      "Your visit to {centre} is booked for {time}.\n\n"
      "Confirmation code: {code}\n\n"
      "Give the code at the desk when you arrive. To move or cancel the visit, use the portal.",
      "Здравствуйте!\n\n"
      "Вы записаны на приём в центр {centre} на {time}.\n\n"
      "Код подтверждения: {code}\n\n"
      "Назовите код у стойки регистрации. Перенести или отменить запись можно на портале."}},

    {"queue-reminder", NULL, "{\"code\":\"K7M2P9QX\",\"centre\":\"Bakı 1\",\"time\":\"2026-12-08 10:30\"}",
     {"Pəncərə: sabah {time}, {centre}. Kod {code}.",
      "Pencere reminder: your visit {code} is at {time}.",
      "Pəncərə: напоминание, {time}, {centre}. Код {code}."},
     {"Xatırlatma: növbəniz {time}",
      "Reminder: your visit at {time}",
      "Напоминание: приём в {time}"},
     {"Salam!\n\n"
      "Xatırladırıq: {centre} mərkəzində növbəniz {time} üçündür.\n\n"
      "Təsdiq kodu: {code}",
      "Hello,\n\n"
      "A reminder: your visit to {centre} is at {time}.\n\n"
      "Confirmation code: {code}",
      "Здравствуйте!\n\n"
      "Напоминаем: ваш приём в центре {centre} назначен на {time}.\n\n"
      "Код подтверждения: {code}"}},

    {"queue-closed", NULL, "{\"code\":\"K7M2P9QX\",\"centre\":\"Bakı 1\",\"day\":\"2026-12-08\"}",
     {"Pəncərə: {centre} {day} bağlıdır, növbə {code} ləğv edildi.",
      "Pencere: the centre is closed on {day}; visit {code} is cancelled. Please book again.",
      "Pəncərə: {centre} закрыт {day}, запись {code} отменена."},
     {"Mərkəz bağlıdır: {day}",
      "The centre is closed on {day}",
      "Центр закрыт {day}"},
     {"Salam!\n\n"
      "{centre} mərkəzi {day} tarixində bağlı olacaq. Həmin gün üçün növbəniz ({code}) ləğv edildi.\n\n"
      "Portalda başqa gün seçə bilərsiniz. Narahatlığa görə üzr istəyirik.",
      "Hello,\n\n"
      "{centre} will be closed on {day}. Your visit that day ({code}) has been cancelled.\n\n"
      "You can choose another day on the portal. We are sorry for the inconvenience.",
      "Здравствуйте!\n\n"
      "Центр {centre} будет закрыт {day}. Ваша запись на этот день ({code}) отменена.\n\n"
      "Выбрать другой день можно на портале. Приносим извинения за неудобства."}},
    /* complaints (src/participation) */
    {"complaint-filed", NULL, "{\"reference\":\"SK-2026-1A2B3C4D\",\"service\":\"din-id-card\"}",
     {"Pəncərə: yeni şikayət {reference}.",
      "Pencere: new complaint {reference}.",
      "Pəncərə: новая жалоба {reference}."},
     {"Yeni şikayət: {reference}",
      "New complaint: {reference}",
      "Новая жалоба: {reference}"},
     {"Salam!\n\n"
      "Qurumunuza {service} xidməti üzrə yeni şikayət daxil olub: {reference}.\n\n"
      "Şikayətə 15 gün ərzində portalda cavab verin.",
      "Hello,\n\n"
      "A new complaint about the service {service} has arrived for your agency: {reference}.\n\n"
      "Please answer it on the portal within 15 days.",
      "Здравствуйте!\n\n"
      "В ваш орган поступила новая жалоба по услуге {service}: {reference}.\n\n"
      "Ответьте на неё на портале в течение 15 дней."}},

    {"complaint-answered", NULL, "{\"reference\":\"SK-2026-1A2B3C4D\"}",
     {"Pəncərə: {reference} şikayətinizə cavab verildi.",
      "Pencere: your complaint {reference} has been answered.",
      "Pəncərə: на жалобу {reference} дан ответ."},
     {"Şikayətinizə cavab: {reference}",
      "Answer to your complaint: {reference}",
      "Ответ на вашу жалобу: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli şikayətinizə qurum cavab verib.\n\n"
      "Cavabı portalda görə bilərsiniz.",
      "Hello,\n\n"
      "The agency has answered your complaint {reference}.\n\n"
      "You can read the answer on the portal.",
      "Здравствуйте!\n\n"
      "Орган ответил на вашу жалобу {reference}.\n\n"
      "Ответ можно прочитать на портале."}},

    /* social assistance's running grant (src/social/grant.c; vemtas2) */
    {"social-grant", "kind=extended",
     "{\"kind\":\"extended\"," REF ",\"amount\":\"100.00\",\"until\":\"2027-12\"}",
     {"Pəncərə: {reference} üzrə sosial yardım {until}-dək uzadıldı.",
      "Pencere: your social assistance {reference} is extended to {until}, {amount} AZN a month.",
      "Pəncərə: соцпомощь {reference} продлена до {until}."},
     {"Sosial yardım uzadıldı: {reference}",
      "Social assistance extended: {reference}",
      "Социальная помощь продлена: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli müraciət üzrə ünvanlı dövlət sosial yardımı yenidən qiymətləndirildi və {until} "
      "ayınadək uzadıldı. Aylıq məbləğ: {amount} AZN.\n\n"
      "Qərar portalda elektron seyfinizdədir.",
      "Hello,\n\n"
      "Your targeted state social assistance (application {reference}) has been re-assessed and extended to "
      "{until}. Monthly amount: {amount} AZN.\n\n"
      "The decision is in your e-safe on the portal.",
      "Здравствуйте!\n\n"
      "Адресная государственная социальная помощь по заявлению {reference} переоценена и продлена до {until}. "
      "Ежемесячная сумма: {amount} AZN.\n\n"
      "Решение — в вашем электронном сейфе на портале."}},

    {"social-grant", "kind=ended", "{\"kind\":\"ended\"," REF "}",
     {"Pəncərə: {reference} üzrə sosial yardıma xitam verildi.",
      "Pencere: your social assistance {reference} has been ended. The decision is in your e-safe.",
      "Pəncərə: соцпомощь {reference} прекращена."},
     {"Sosial yardıma xitam verildi: {reference}",
      "Social assistance ended: {reference}",
      "Социальная помощь прекращена: {reference}"},
     {"Salam!\n\n"
      "{reference} nömrəli müraciət üzrə ünvanlı dövlət sosial yardımına xitam verildi.\n\n"
      "Qərar və səbəb portalda elektron seyfinizdədir. Qərardan bir ay ərzində şikayət verə bilərsiniz.",
      "Hello,\n\n"
      "Your targeted state social assistance (application {reference}) has been ended.\n\n"
      "The decision and its reason are in your e-safe on the portal. You may appeal within one month.",
      "Здравствуйте!\n\n"
      "Адресная государственная социальная помощь по заявлению {reference} прекращена.\n\n"
      "Решение и причина — в вашем электронном сейфе на портале. Обжаловать можно в течение месяца."}},
};

/* The signature block after every e-mail body ("-- " starts a signature). */
static const struct pc_text footer = {{
    "\n\n-- \nPəncərə — Elektron Hökumət Portalı\nBu məktub avtomatik göndərilib, ona cavab verməyin.\n",
    "\n\n-- \nPəncərə — E-Government Portal\nThis message was sent automatically; please do not reply to it.\n",
    "\n\n-- \nPəncərə — Портал электронного правительства\nПисьмо отправлено автоматически, отвечать на него не нужно.\n",
}};

size_t nt_template_count(void)
{
    return sizeof templates / sizeof templates[0];
}

const struct nt_template *nt_template_at(size_t i)
{
    return i < nt_template_count() ? &templates[i] : NULL;
}

/* ---- filling placeholders ------------------------------------------- */

/* The payload's value for name as text, or NULL when absent. */
static const char *value_of(struct pc_arena *a, json_t *payload, const char *name)
{
    json_t *v = json_object_get(payload, name);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v))
        return pc_arena_printf(a, "%lld", (long long)json_integer_value(v));
    return NULL;
}

/* Append a value: control characters become spaces (in a body '\n' is
 * kept), so no value can add a header line or break an SMS. */
static void put_value(struct pc_buf *out, const char *v, bool multiline)
{
    size_t n = strlen(v);
    if (n > NT_VALUE_MAX)
        n = NT_VALUE_MAX;
    while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
        n--; /* do not cut a character in two */
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch == '\r')
            continue;
        if (ch == '\n' && multiline)
            pc_buf_putc(out, '\n');
        else if (ch < 0x20 || ch == 0x7f)
            pc_buf_putc(out, ' ');
        else
            pc_buf_putc(out, (char)ch);
    }
}

static const char *fill(struct pc_arena *a, const char *text, json_t *payload, bool multiline, const char *tail,
                        struct pc_err *err)
{
    struct pc_buf b;
    pc_buf_init(&b, 64 * 1024);
    const char *p = text;
    while (*p) {
        const char *open = strchr(p, '{');
        if (!open) {
            pc_buf_puts(&b, p);
            break;
        }
        pc_buf_append(&b, p, (size_t)(open - p));
        const char *close = strchr(open, '}');
        if (!close || close - open > 40) {
            pc_buf_release(&b);
            pc_err_set(err, PC_EINVAL, "template text has an unclosed placeholder");
            return NULL;
        }
        char name[48];
        snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
        size_t nl = strlen(name);
        bool optional = nl > 0 && name[nl - 1] == '?';
        if (optional)
            name[nl - 1] = 0;
        const char *v = value_of(a, payload, name);
        if (!v && optional)
            v = "";
        if (!v) {
            pc_buf_release(&b);
            pc_err_set(err, PC_EINVAL, "payload has no value for {%s}", name);
            return NULL;
        }
        put_value(&b, v, multiline);
        p = close + 1;
    }
    if (tail)
        pc_buf_puts(&b, tail);
    const char *out = b.toobig ? NULL : pc_arena_strndup(a, b.data, b.len);
    pc_buf_release(&b);
    if (!out)
        pc_err_set(err, PC_ENOMEM, "message too long");
    return out;
}

/* Does the row apply to this payload (its `when` condition)? */
static bool applies(const struct nt_template *t, json_t *payload)
{
    if (!t->when)
        return true;
    const char *eq = strchr(t->when, '=');
    char field[32];
    snprintf(field, sizeof field, "%.*s", (int)(eq - t->when), t->when);
    const char *v = json_string_value(json_object_get(payload, field));
    return v && strcmp(v, eq + 1) == 0;
}

int notify_render(struct pc_arena *a, const char *template_id, const char *lang, const char *payload_json,
                  struct notify_text *out, struct pc_err *err)
{
    memset(out, 0, sizeof *out);
    json_t *payload = json_loads(payload_json ? payload_json : "", 0, NULL);
    if (!json_is_object(payload)) {
        json_decref(payload);
        return pc_err_set(err, PC_EINVAL, "payload is not a JSON object");
    }
    const struct nt_template *t = NULL;
    bool known = false;
    for (size_t i = 0; i < nt_template_count() && !t; i++) {
        if (pc_str_eq(templates[i].id, template_id)) {
            known = true;
            if (applies(&templates[i], payload))
                t = &templates[i];
        }
    }
    if (!t) {
        json_decref(payload);
        return known ? pc_err_set(err, PC_ENOTFOUND, "template %s has no text for this payload", template_id)
                     : pc_err_set(err, PC_ENOTFOUND, "no template %s", template_id ? template_id : "(null)");
    }
    int li = pc_lang_parse(lang);
    enum pc_lang l = li < 0 ? PC_LANG_AZ : (enum pc_lang)li;
    out->lang = pc_lang_code(l);
    out->sms = fill(a, t->sms[l], payload, false, NULL, err);
    out->subject = out->sms ? fill(a, t->subject[l], payload, false, NULL, err) : NULL;
    out->body = out->subject ? fill(a, t->body[l], payload, true, pc_text_get(&footer, l), err) : NULL;
    json_decref(payload);
    return out->body ? 0 : (err && err->code ? err->code : PC_EINVAL);
}

/* ---- SMS length ------------------------------------------------------- */

/* The GSM 03.38 default alphabet (one septet each) and its extension
 * table (two septets each: escape + character). */
static const char gsm_basic[] =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
static const char gsm_ext[] = "^{}\\[~]|€\f";

/* Decode one UTF-8 character at *p (advancing it); -1 when invalid. */
static long next_cp(const char **p)
{
    const unsigned char *s = (const unsigned char *)*p;
    long cp;
    int extra;
    if (s[0] < 0x80) { cp = s[0]; extra = 0; }
    else if ((s[0] & 0xE0) == 0xC0) { cp = s[0] & 0x1F; extra = 1; }
    else if ((s[0] & 0xF0) == 0xE0) { cp = s[0] & 0x0F; extra = 2; }
    else if ((s[0] & 0xF8) == 0xF0) { cp = s[0] & 0x07; extra = 3; }
    else { (*p)++; return -1; }
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *p += i;
            return -1;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *p += extra + 1;
    return cp;
}

static bool in_set(const char *set, long cp)
{
    const char *p = set;
    while (*p)
        if (next_cp(&p) == cp)
            return true;
    return false;
}

int nt_sms_parts(const char *text, bool *ucs2, size_t *units)
{
    size_t septets = 0, u16 = 0;
    bool gsm = true;
    for (const char *p = text; *p;) {
        long cp = next_cp(&p);
        u16 += cp > 0xFFFF ? 2 : 1;
        if (gsm) {
            if (cp >= 0 && in_set(gsm_basic, cp))
                septets += 1;
            else if (cp >= 0 && in_set(gsm_ext, cp))
                septets += 2;
            else
                gsm = false;
        }
    }
    size_t n = gsm ? septets : u16, single = gsm ? 160 : 70, multi = gsm ? 153 : 67;
    if (ucs2)
        *ucs2 = !gsm;
    if (units)
        *units = n;
    if (n == 0)
        return 0;
    return n <= single ? 1 : (int)((n + multi - 1) / multi);
}
