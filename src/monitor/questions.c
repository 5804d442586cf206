/* questions.c — the four questionnaires of the methodology, word for word
 * in Azerbaijani as the 2012 methodology asks them (numbers in brackets:
 * clauses of the 2011 presidential decree on e-services), with English
 * and Russian translations: the infrastructure's 25 sub-indicators in 7
 * components, 15 questions of e-development, 10 of e-participation and 10
 * of e-transparency (9 and 10 for paid services only). */
#include "monitor.h"

#include <string.h>

#define T(az, en, ru) {{az, en, ru}}

static const struct pc_text components[MON_INFRA_COMPONENTS] = {
    T("Autentik mənbələr (informasiya reyestrləri və sistemləri)", "Authentic sources (information registries and systems)",
      "Аутентичные источники (информационные реестры и системы)"),
    T("Elektron identifikasiya vasitələri", "Electronic identification means", "Средства электронной идентификации"),
    T("Təhlükəsiz informasiya mübadiləsi infrastrukturu", "Secure data-exchange infrastructure",
      "Инфраструктура защищённого обмена данными"),
    T("Birdəfəlik qeydiyyat (single sign-on)", "Single sign-on", "Единый вход (single sign-on)"),
    T("Elektron seyf (e-safe)", "E-safe", "Электронный сейф (e-safe)"),
    T("Açıq informasiya mübadiləsi standartları", "Open information-exchange standards",
      "Открытые стандарты обмена информацией"),
    T("Elektron ödəmə sistemi", "E-payment", "Система электронных платежей"),
};

#define Q(id, comp, share, az, en, ru) {id, T(az, en, ru), comp, share, false}

static const struct mon_question infra[] = {
    Q("1.1", 1, false, "Fərdi məlumatların elektron reyestri (informasiya sistemi) mövcuddurmu?",
      "Does an electronic registry (information system) of personal data exist?",
      "Существует ли электронный реестр (информационная система) персональных данных?"),
    Q("1.2", 1, false, "Daşınmaz əmlak barədə məlumatların elektron reyestri mövcuddurmu?",
      "Does an electronic registry of real-estate data exist?",
      "Существует ли электронный реестр данных о недвижимости?"),
    Q("1.3", 1, false, "Kommersiya hüquqi şəxslərin və fərdi sahibkarların elektron reyestri mövcuddurmu?",
      "Does an electronic registry of companies and individual entrepreneurs exist?",
      "Существует ли электронный реестр коммерческих юридических лиц и индивидуальных предпринимателей?"),
    Q("1.4", 1, false, "Elektron xidmətlərin göstərilməsi zamanı dövlət qurumları fərdi məlumatların reyestrindən müştərək istifadə edirlərmi?",
      "Do agencies jointly use the personal-data registry when delivering e-services?",
      "Используют ли органы совместно реестр персональных данных при оказании электронных услуг?"),
    Q("1.5", 1, false, "Dövlət qurumları daşınmaz əmlakla bağlı məlumatlardan (kadastr, ünvan, geometrik məlumatlar) müştərək istifadə edirlərmi?",
      "Do agencies jointly use real-estate data (cadastre, addresses, geometry)?",
      "Используют ли органы совместно данные о недвижимости (кадастр, адреса, геометрия)?"),
    Q("1.6", 1, false, "Kommersiya məlumatları dövlət qurumları tərəfindən müştərək istifadə edilirmi?",
      "Do agencies jointly use commercial data?", "Используют ли органы совместно коммерческие данные?"),
    Q("1.7", 1, false, "Dövlət orqanlarını fərdi məlumatların reyestrindən istifadə etməyə məcbur edən hüquqi baza varmı?",
      "Does a legal basis oblige agencies to use the personal-data registry?",
      "Есть ли правовая основа, обязывающая органы использовать реестр персональных данных?"),
    Q("1.8", 1, false, "Dövlət orqanlarını daşınmaz əmlakın reyestrindən istifadə etməyə məcbur edən hüquqi baza varmı?",
      "Does a legal basis oblige agencies to use the real-estate registry?",
      "Есть ли правовая основа, обязывающая органы использовать реестр недвижимости?"),
    Q("1.9", 1, false, "Dövlət qurumlarını kommersiya məlumatlarının reyestrindən istifadə etməyə məcbur edən hüquqi əsas varmı?",
      "Does a legal basis oblige agencies to use the commercial-data registry?",
      "Есть ли правовая основа, обязывающая органы использовать реестр коммерческих данных?"),
    Q("2.1", 2, false, "Dövlət vətəndaşlara elektron identifikasiya vasitələri təqdim edirmi?",
      "Does the state give citizens electronic identification means?",
      "Предоставляет ли государство гражданам средства электронной идентификации?"),
    Q("2.2", 2, false, "Dövlət biznes sektoruna elektron identifikasiya vasitələri təqdim edirmi?",
      "Does the state give the business sector electronic identification means?",
      "Предоставляет ли государство бизнесу средства электронной идентификации?"),
    Q("2.3", 2, false, "Vətəndaşlar üçün elektron identifikasiya vasitəsinin elektron imza funksiyası varmı?",
      "Does the citizens' electronic identification have an e-signature function?",
      "Есть ли у средства электронной идентификации граждан функция электронной подписи?"),
    Q("2.4", 2, false, "Biznes sektoru üçün elektron identifikasiya vasitəsinin elektron imza funksiyası varmı?",
      "Does the business electronic identification have an e-signature function?",
      "Есть ли у средства электронной идентификации бизнеса функция электронной подписи?"),
    Q("2.5", 2, true, "Elektron imzaya sahib olan vətəndaş neçə elektron xidmətdən faydalana bilər?",
      "What share of e-services can a citizen with an e-signature use?",
      "Какой долей электронных услуг может воспользоваться гражданин с электронной подписью?"),
    Q("2.6", 2, true, "Elektron imzaya sahib olan iş adamları neçə elektron xidmətdən faydalana bilər?",
      "What share of e-services can a business person with an e-signature use?",
      "Какой долей электронных услуг может воспользоваться предприниматель с электронной подписью?"),
    Q("2.7", 2, true, "Neçə elektron xidmət elektron imzanı dəstəkləyir?",
      "What share of e-services support e-signature?", "Какая доля электронных услуг поддерживает электронную подпись?"),
    Q("3.1", 3, false, "Mərkəzi elektron məlumat mübadiləsi infrastrukturu varmı?",
      "Does a central electronic data-exchange infrastructure exist?",
      "Существует ли центральная инфраструктура электронного обмена данными?"),
    Q("3.2", 3, true, "Mərkəzi elektron məlumat infrastrukturundan neçə elektron xidmət təminatçısı istifadə edir?",
      "What share of e-service providers use it?", "Какая доля поставщиков электронных услуг её использует?"),
    Q("3.3", 3, true, "Neçə elektron xidmət üçün mərkəzi məlumat mübadiləsi infrastrukturundan istifadə edilmişdir?",
      "For what share of e-services is it used?", "Для какой доли электронных услуг она используется?"),
    Q("4.1", 4, false, "Müxtəlif dövlət qurumlarının elektron səhifələrinə və xidmətlərinə daxil olmağa imkan verən birdəfəlik qeydiyyat funksiyası varmı?",
      "Does one login give access to the sites and services of different agencies?",
      "Даёт ли единый вход доступ к сайтам и услугам разных органов?"),
    Q("5.1", 5, false, "Vətəndaşlara elektron sənədlərin təhlükəsiz saxlanması imkanı təqdim edilirmi?",
      "Is secure electronic document storage offered to citizens?",
      "Предлагается ли гражданам защищённое хранение электронных документов?"),
    Q("5.2", 5, false, "Biznes sektoruna elektron sənədlərin təhlükəsiz saxlanması imkanı təqdim edilirmi?",
      "Is secure electronic document storage offered to businesses?",
      "Предлагается ли бизнесу защищённое хранение электронных документов?"),
    Q("6.1", 6, false, "Əlçatan informasiya standartlarını təşviq edən, dərc olunmuş və endirilə bilən siyasi və hüquqi sənəd varmı?",
      "Does a published, downloadable policy or legal document promote open information standards?",
      "Есть ли опубликованный и доступный для загрузки политический или правовой документ, продвигающий открытые стандарты?"),
    Q("7.1", 7, false, "Dövlət qurumlarının elektron xidmətləri üçün elektron ödəmə mümkündürmü?",
      "Is e-payment possible for the e-services of state agencies?",
      "Возможна ли электронная оплата электронных услуг государственных органов?"),
    Q("7.2", 7, false, "Müxtəlif dövlət qurumlarına xidmət edən ümummilli elektron ödəmə sistemi varmı?",
      "Does a nationwide e-payment system serve the various agencies?",
      "Есть ли общенациональная система электронных платежей для разных органов?"),
};

#define D(id, az, en, ru) {id, T(az, en, ru), 0, false, false}

static const struct mon_question development[] = {
    D("1", "Qurumun saytında xidmət üzrə elektron xidmət bölməsi varmı?",
      "Does the agency's site have an e-service section for the service?",
      "Есть ли на сайте органа раздел электронной услуги?"),
    D("2", "Xidmətin adı, mahiyyəti və tələb olunan sənədlərin siyahısı yerləşdirilibmi? (7.1.1)",
      "Are the service's name, substance and list of required documents posted? (7.1.1)",
      "Размещены ли название, суть услуги и перечень требуемых документов? (7.1.1)"),
    D("3", "Xidmətin inzibati reqlamenti varmı və yerləşdirilibmi? (9.1)",
      "Does an administrative regulation of the service exist, and is it posted? (9.1)",
      "Существует ли и размещён ли административный регламент услуги? (9.1)"),
    D("4", "Müvafiq sənədlərin (ərizə, blank və ya digər) elektron forması yerləşdirilibmi? (7.1.1)",
      "Are electronic versions of the forms (application, blank, other) posted? (7.1.1)",
      "Размещены ли электронные формы документов (заявление, бланк и другие)? (7.1.1)"),
    D("5", "Elektron müraciət imkanı varmı: onlayn formanı doldurmaq və ya skan edilmiş sənədləri əlavə etmək? (7.1.2)",
      "Can one apply electronically: fill in an online form or attach scans? (7.1.2)",
      "Можно ли подать заявление электронно: заполнить онлайн-форму или приложить сканы? (7.1.2)"),
    D("6", "İstifadəçinin özünə aid fərdi məlumatları xidmətin məlumat bazasından əldə etmək imkanı varmı? (4.4)",
      "Can the user obtain their own personal data from the service's database? (4.4)",
      "Может ли пользователь получить свои персональные данные из базы данных услуги? (4.4)"),
    D("7", "Xidmət vahid pəncərə vasitəsilə (elektron hökumət portalına inteqrasiya edilərək) göstərilirmi? (6.2.3, 11.1)",
      "Is the service delivered through the single window (integrated into the portal)? (6.2.3, 11.1)",
      "Оказывается ли услуга через единое окно (интегрирована в портал)? (6.2.3, 11.1)"),
    D("8", "Qurum digər qurumların informasiya sistemlərində olan məlumatları (arayış, şəxsiyyət vəsiqəsi və s.) yenidən tələb etmirmi? (6.1.1)",
      "Does the agency refrain from re-requesting data held in other agencies' systems (certificates, ID card, …)? (6.1.1)",
      "Не запрашивает ли орган повторно данные, имеющиеся в системах других органов (справки, удостоверение и т. п.)? (6.1.1)"),
    D("9", "İstifadəçi telefon, poçt və ya elektron məktubla xidmətin gedişatı barədə məlumatlandırılırmı? (7.1.2)",
      "Is the user informed of progress by phone, post or e-mail (a confirmation notice)? (7.1.2)",
      "Сообщают ли пользователю о ходе услуги по телефону, почте или e-mail (уведомление о приёме)? (7.1.2)"),
    D("10", "Xidmətdən elektron imza və ya mobil imza ilə istifadə etmək mümkündürmü?",
      "Can the service be used with an e-signature or mobile signature?",
      "Можно ли воспользоваться услугой с электронной или мобильной подписью?"),
    D("11", "Nağdsız ödəmə imkanı (bank, elektron kiosk) təklif edilirmi? (8.2)",
      "Is cashless payment offered (bank, e-kiosk)? (8.2)",
      "Предлагается ли безналичная оплата (банк, электронный киоск)? (8.2)"),
    D("12", "Onlayn ödəniş etmək mümkündürmü?", "Is online payment possible?", "Возможна ли онлайн-оплата?"),
    D("13", "Xidmət bütünlüklə veb sayt üzərindən başa çatdırıla bilirmi (baxılma, qərar, çatdırılma, ödəmə)?",
      "Can the service be completed entirely on the web (review, decision, delivery, payment)?",
      "Можно ли пройти услугу полностью через сайт (рассмотрение, решение, доставка, оплата)?"),
    D("14", "Elektron formalar sistem tərəfindən avtomatik doldurulurmu?",
      "Are the forms filled in automatically by the system?",
      "Заполняются ли формы системой автоматически?"),
    D("15", "Vətəndaşın müraciət etməsinə ehtiyac yoxdurmu (proaktiv xidmət)?",
      "Is there no need for the citizen to apply at all (proactive service)?",
      "Обходится ли услуга без заявления гражданина (проактивная услуга)?"),
};

static const struct mon_question participation[] = {
    D("1", "Xidmətin adı, mahiyyəti və tələb olunan sənədlər yerləşdirilibmi? (7.1.1)",
      "Are the service's name, substance and required documents posted? (7.1.1)",
      "Размещены ли название, суть услуги и требуемые документы? (7.1.1)"),
    D("2", "Formalar və blanklar yerləşdirilibmi?", "Are the forms and blanks posted?", "Размещены ли формы и бланки?"),
    D("3", "İnzibati reqlament yerləşdirilibmi? (9.1)", "Is the administrative regulation posted? (9.1)",
      "Размещён ли административный регламент? (9.1)"),
    D("4", "Bölmədən sərbəst və maneəsiz istifadə dəstəklənirmi: video çarxlar, təlimat mətnləri, tez-tez verilən suallar?",
      "Is free, unhindered use of the section supported: video clips, guides, FAQ?",
      "Поддерживается ли свободное пользование разделом: видеоролики, инструкции, ответы на частые вопросы?"),
    D("5", "İstifadəçilər telefon, poçt və ya elektron məktubla gedişat barədə məlumatlandırılırmı? (7.1.2)",
      "Are users informed of progress by phone, post or e-mail? (7.1.2)",
      "Сообщают ли пользователям о ходе услуги по телефону, почте или e-mail? (7.1.2)"),
    D("6", "Qurumun elektron xidmət bölməsində rəy və şikayət bildirmək mümkündürmü (e-poçt, qaynar xətt, forum)?",
      "Can users give feedback or complain in the agency's e-service section (e-mail, hotline, forum)?",
      "Можно ли оставить отзыв или жалобу в разделе электронной услуги органа (e-mail, горячая линия, форум)?"),
    D("7", "Elektron hökumət portalında rəy və şikayət bildirmək mümkündürmü?",
      "Can users give feedback or complain on the e-government portal?",
      "Можно ли оставить отзыв или жалобу на портале электронного правительства?"),
    D("8", "Xidmətin keyfiyyəti ilə bağlı məmnuniyyət sorğusu keçirilirmi?",
      "Is a satisfaction survey on the service's quality organised?",
      "Проводится ли опрос удовлетворённости качеством услуги?"),
    D("9", "İstifadəçilərin ehtiyac və tələblərini öyrənmək üçün sorğu keçirilirmi?",
      "Is a survey of users' needs and requirements conducted?",
      "Проводится ли опрос потребностей и запросов пользователей?"),
    D("10", "Mütəmadi (aylıq, rüblük) hesabatlar hazırlanırmı: istifadəçilərin və şikayətçilərin sayı, elektron və ənənəvi müraciətlərin nisbəti, sorğuların nəticələri?",
      "Are regular (monthly, quarterly) reports produced: users, complaints, electronic versus traditional applicants, survey results?",
      "Готовятся ли регулярные (ежемесячные, ежеквартальные) отчёты: число пользователей и жалоб, доля электронных обращений, итоги опросов?"),
};

#define P(id, pay, az, en, ru) {id, T(az, en, ru), 0, false, pay}

static const struct mon_question transparency[] = {
    P("1", false, "Qurumun saytında xidmət üzrə elektron bölmə varmı?",
      "Does the agency's site have an e-section for the service?", "Есть ли на сайте органа раздел услуги?"),
    P("2", false, "Qurumun saytından rəy və şikayət bildirmək mümkündürmü (e-poçt, qaynar xətt, forum)?",
      "Can users give feedback or complain on the agency's site (e-mail, hotline, forum)?",
      "Можно ли оставить отзыв или жалобу на сайте органа (e-mail, горячая линия, форум)?"),
    P("3", false, "Elektron hökumət portalından rəy və şikayət bildirmək mümkündürmü?",
      "Can users give feedback or complain on the e-government portal?",
      "Можно ли оставить отзыв или жалобу на портале электронного правительства?"),
    P("4", false, "Rəsmi quruma getmədən elektron imza və ya mobil imza ilə xidmətdən yararlanmaq mümkündürmü?",
      "Can the service be used with an e-signature or mobile signature without visiting the agency?",
      "Можно ли воспользоваться услугой с электронной или мобильной подписью, не посещая орган?"),
    P("5", false, "Elektron müraciət imkanı varmı? (7.1.2)", "Is electronic application possible? (7.1.2)",
      "Возможна ли электронная подача заявления? (7.1.2)"),
    P("6", false, "Digər qurumlarda olan məlumatlar yenidən tələb edilmirmi? (6.1.1)",
      "Is data held by other agencies not re-requested? (6.1.1)",
      "Не запрашиваются ли повторно данные, имеющиеся у других органов? (6.1.1)"),
    P("7", false, "Gedişat barədə məlumatlandırma (təsdiqetmə bildirişi) varmı? (7.1.2)",
      "Are there progress and confirmation notices? (7.1.2)", "Есть ли уведомления о ходе и приёме заявления? (7.1.2)"),
    P("8", false, "Xidmət bütünlüklə veb sayt üzərindən başa çatdırıla bilirmi?",
      "Can the service be completed fully on the web?", "Можно ли пройти услугу полностью через сайт?"),
    P("9", true, "Nağdsız ödəmə imkanı (bank, elektron ödəmə) varmı? (8.2)",
      "Is cashless payment possible (bank, e-payment)? (8.2)",
      "Возможна ли безналичная оплата (банк, электронный платёж)? (8.2)"),
    P("10", true, "Onlayn elektron ödəmə imkanı varmı?", "Is online e-payment possible?",
      "Возможна ли онлайн-оплата?"),
};

static const struct {
    const struct mon_question *q;
    size_t n;
} sets[MON_CRITERION_COUNT] = {
    {infra, sizeof infra / sizeof *infra},
    {development, sizeof development / sizeof *development},
    {participation, sizeof participation / sizeof *participation},
    {transparency, sizeof transparency / sizeof *transparency},
};

_Static_assert(sizeof infra / sizeof *infra == MON_MAX_QUESTIONS, "the infrastructure is the longest questionnaire");

static const char *const criterion_names[MON_CRITERION_COUNT] = {"infrastructure", "development", "participation",
                                                                 "transparency"};

const char *mon_criterion_name(enum mon_criterion c)
{
    return (unsigned)c < MON_CRITERION_COUNT ? criterion_names[c] : "";
}

int mon_criterion_parse(const char *s)
{
    for (int i = 0; s && i < MON_CRITERION_COUNT; i++)
        if (strcmp(s, criterion_names[i]) == 0)
            return i;
    return -1;
}

const struct mon_question *mon_questions(enum mon_criterion c, size_t *n)
{
    *n = (unsigned)c < MON_CRITERION_COUNT ? sets[c].n : 0;
    return *n ? sets[c].q : NULL;
}

int mon_question_index(enum mon_criterion c, const char *id)
{
    size_t n;
    const struct mon_question *q = mon_questions(c, &n);
    for (size_t i = 0; id && i < n; i++)
        if (strcmp(q[i].id, id) == 0)
            return (int)i;
    return -1;
}

const struct pc_text *mon_component_name(int k)
{
    return k >= 1 && k <= MON_INFRA_COMPONENTS ? &components[k - 1] : NULL;
}
