namespace JourneyFunctions.Api;

/// <summary>Who may call a route.</summary>
public enum ApiAccess
{
    /// <summary>The admin credential: the API key in the built-in host, a Functions key in Azure.</summary>
    ApiKey,

    /// <summary>Event Grid's own credential (never the admin key): checked by the handler in both hosts.</summary>
    EventGrid,

    /// <summary>No credential: the unsubscribe routes, authorised by the signed token they carry.</summary>
    Public,

    /// <summary>
    /// A storefront platform's webhook signature (Shopify's <c>X-Shopify-Hmac-Sha256</c>, WooCommerce's
    /// <c>X-WC-Webhook-Signature</c>) over the raw body with that shop's secret, never the admin key: checked by the
    /// handler in both hosts, which are anonymous to the platform.
    /// </summary>
    StorefrontSignature,
}

/// <summary>One route of the HTTP API: its function/endpoint name, method, template below <c>/api</c> and access.</summary>
public sealed record ApiRoute(string Name, string Method, string Template, ApiAccess Access, string Tag, string Summary)
{
    /// <summary>The full path template as the built-in host maps it (<c>/api/...</c>).</summary>
    public string Path => "/" + ApiRoutes.Prefix + "/" + Template;
}

/// <summary>
/// The one route table of the HTTP API. The built-in host maps every row (<c>Map...Api</c> through
/// <see cref="ApiRouteBuilderExtensions.MapApiRoute"/>); the Functions app's <c>[Function]</c> and
/// <c>[HttpTrigger(Route = ...)]</c> attributes take the same constants, and a test compares the generated
/// <c>functions.metadata</c> with <see cref="All"/> row by row, so the two hosts cannot drift apart.
/// </summary>
public static class ApiRoutes
{
    /// <summary>The route prefix of both hosts (host.json's <c>extensions.http.routePrefix</c>).</summary>
    public const string Prefix = "api";

    /// <summary>Route templates below <see cref="Prefix"/>, as attribute constants.</summary>
    public static class Templates
    {
        public const string Events = "events";
        public const string Contacts = "contacts";
        public const string Contact = "contacts/{id}";
        public const string Journeys = "journeys";
        public const string Journey = "journeys/{id}";
        public const string JourneyPause = "journeys/{id}/pause";
        public const string JourneyResume = "journeys/{id}/resume";
        public const string JourneyStats = "journeys/{id}/stats";
        public const string JourneyMap = "journeys/{id}/map";
        public const string JourneySimulate = "journeys/{id}/simulate";
        public const string JourneyWaiting = "journeys/{id}/waiting";
        public const string TemplatePreview = "templates/{id}/preview";
        public const string Unsubscribe = "unsubscribe";
        public const string EventGrid = "eventgrid";
        public const string ContactExport = "contacts/{id}/export";
        public const string ShopifyWebhooks = "storefronts/shopify";
        public const string WooCommerceWebhooks = "storefronts/woocommerce";
    }

    /// <summary>Endpoint and function names, as attribute constants (a function's name is a deployment contract).</summary>
    public static class Names
    {
        public const string PostEvents = nameof(PostEvents);
        public const string UpsertContact = nameof(UpsertContact);
        public const string SearchContacts = nameof(SearchContacts);
        public const string GetContact = nameof(GetContact);
        public const string EraseContact = nameof(EraseContact);
        public const string ListJourneys = nameof(ListJourneys);
        public const string PublishJourney = nameof(PublishJourney);
        public const string GetJourney = nameof(GetJourney);
        public const string PauseJourney = nameof(PauseJourney);
        public const string ResumeJourney = nameof(ResumeJourney);
        public const string GetJourneyStats = nameof(GetJourneyStats);
        public const string GetJourneyMap = nameof(GetJourneyMap);
        public const string SimulateJourney = nameof(SimulateJourney);
        public const string ListWaitingRuns = nameof(ListWaitingRuns);
        public const string PreviewTemplate = nameof(PreviewTemplate);
        public const string UnsubscribePage = nameof(UnsubscribePage);
        public const string Unsubscribe = nameof(Unsubscribe);
        public const string EventGridHandshake = nameof(EventGridHandshake);
        public const string EventGridReports = nameof(EventGridReports);
        public const string ExportContact = nameof(ExportContact);
        public const string ShopifyWebhook = nameof(ShopifyWebhook);
        public const string WooCommerceWebhook = nameof(WooCommerceWebhook);
    }

    /// <summary>HTTP methods in the lower case the Functions attributes use.</summary>
    public static class Methods
    {
        public const string Get = "get";
        public const string Post = "post";
        public const string Put = "put";
        public const string Delete = "delete";
        public const string Options = "options";
    }

    public static readonly ApiRoute PostEvents = new(Names.PostEvents, Methods.Post, Templates.Events, ApiAccess.ApiKey, "Events",
        "Submit one contact event or a batch (array) of up to 100; 202 with their ids.");

    public static readonly ApiRoute UpsertContact = new(Names.UpsertContact, Methods.Post, Templates.Contacts, ApiAccess.ApiKey, "Contacts",
        "Create or update a contact: email, time zone, fields, tags (added), marketing consent.");

    public static readonly ApiRoute SearchContacts = new(Names.SearchContacts, Methods.Get, Templates.Contacts, ApiAccess.ApiKey, "Contacts",
        "The contacts with an email address (?email=, trimmed, ignoring case), from an index keyed by the address's keyed hash.");

    public static readonly ApiRoute GetContact = new(Names.GetContact, Methods.Get, Templates.Contact, ApiAccess.ApiKey, "Contacts",
        "A contact with its tags, active runs and recent timeline.");

    public static readonly ApiRoute EraseContact = new(Names.EraseContact, Methods.Delete, Templates.Contact, ApiAccess.ApiKey, "Contacts",
        "Erase a contact: ends its runs, deletes its personal data, keeps the suppression hash. 204.");

    public static readonly ApiRoute ExportContact = new(Names.ExportContact, Methods.Get, Templates.ContactExport, ApiAccess.ApiKey, "Contacts",
        "Everything stored about a contact as one JSON document (GDPR access): profile, consent, suppression, every run and the whole timeline.");

    public static readonly ApiRoute ListJourneys = new(Names.ListJourneys, Methods.Get, Templates.Journeys, ApiAccess.ApiKey, "Journeys",
        "Published journeys: latest version, paused flag, stage and trigger.");

    public static readonly ApiRoute PublishJourney = new(Names.PublishJourney, Methods.Put, Templates.Journey, ApiAccess.ApiKey, "Journeys",
        "Publish the JSON body as the journey's next version; 400 lists every validation problem with its JSON path.");

    public static readonly ApiRoute GetJourney = new(Names.GetJourney, Methods.Get, Templates.Journey, ApiAccess.ApiKey, "Journeys",
        "The latest definition, or ?version=n.");

    public static readonly ApiRoute PauseJourney = new(Names.PauseJourney, Methods.Post, Templates.JourneyPause, ApiAccess.ApiKey, "Journeys",
        "Pause: no new entries; runs in flight hold at their next timer until resumed.");

    public static readonly ApiRoute ResumeJourney = new(Names.ResumeJourney, Methods.Post, Templates.JourneyResume, ApiAccess.ApiKey, "Journeys",
        "Resume a paused journey; held runs continue.");

    public static readonly ApiRoute GetJourneyStats = new(Names.GetJourneyStats, Methods.Get, Templates.JourneyStats, ApiAccess.ApiKey, "Journeys",
        "Per journey and per step: entered, waiting now, sent, exited, goals, conversion rate.");

    public static readonly ApiRoute GetJourneyMap = new(Names.GetJourneyMap, Methods.Get, Templates.JourneyMap, ApiAccess.ApiKey, "Journeys",
        "The journey (latest, or ?version=n) as a Mermaid flowchart with live per-step counts; Accept: application/json for { mermaid, stats }.");

    public static readonly ApiRoute SimulateJourney = new(Names.SimulateJourney, Methods.Post, Templates.JourneySimulate, ApiAccess.ApiKey, "Journeys",
        "Play a scenario (the journeys/tests/*.scenario.json format) through the journey on a virtual clock, in memory; returns the timeline and expectation results.");

    public static readonly ApiRoute ListWaitingRuns = new(Names.ListWaitingRuns, Methods.Get, Templates.JourneyWaiting, ApiAccess.ApiKey, "Journeys",
        "The runs waiting at one step now (?step=id, ?max=1..500, default 50): contact, key, since and until when; more says others wait too.");

    public static readonly ApiRoute PreviewTemplate = new(Names.PreviewTemplate, Methods.Post, Templates.TemplatePreview, ApiAccess.ApiKey, "Templates",
        "Render a template for a stored contact (contactId) or sample data (email, fields, tags, trigger): subject, HTML, text and the headers a send carries; nothing is sent.");

    public static readonly ApiRoute UnsubscribePage = new(Names.UnsubscribePage, Methods.Get, Templates.Unsubscribe, ApiAccess.Public, "Unsubscribe",
        "The confirmation page of an unsubscribe link; changes nothing.");

    public static readonly ApiRoute Unsubscribe = new(Names.Unsubscribe, Methods.Post, Templates.Unsubscribe, ApiAccess.Public, "Unsubscribe",
        "RFC 8058 one-click unsubscribe, authorised by the signed token alone.");

    public static readonly ApiRoute EventGridHandshake = new(Names.EventGridHandshake, Methods.Options, Templates.EventGrid, ApiAccess.EventGrid, "Event Grid",
        "CloudEvents webhook validation: answers WebHook-Request-Origin with WebHook-Allowed-Origin.");

    public static readonly ApiRoute EventGridReports = new(Names.EventGridReports, Methods.Post, Templates.EventGrid, ApiAccess.EventGrid, "Event Grid",
        "ACS delivery and engagement reports from Event Grid (and its subscription validation handshake).");

    public static readonly ApiRoute ShopifyWebhook = new(Names.ShopifyWebhook, Methods.Post, Templates.ShopifyWebhooks, ApiAccess.StorefrontSignature, "Storefronts",
        "Shopify webhooks (customers, checkouts, orders, fulfillments, the privacy topics), signed with the shop's secret; mapped to contact events.");

    public static readonly ApiRoute WooCommerceWebhook = new(Names.WooCommerceWebhook, Methods.Post, Templates.WooCommerceWebhooks, ApiAccess.StorefrontSignature, "Storefronts",
        "WooCommerce webhooks (customers, orders) and the ping sent when a webhook is created, signed with the webhook's secret; mapped to contact events.");

    /// <summary>Every route of the API, in the order the docs list them.</summary>
    public static IReadOnlyList<ApiRoute> All { get; } =
    [
        PostEvents, UpsertContact, SearchContacts, GetContact, EraseContact, ExportContact,
        ListJourneys, PublishJourney, GetJourney, PauseJourney, ResumeJourney, GetJourneyStats, GetJourneyMap, SimulateJourney, ListWaitingRuns, PreviewTemplate,
        UnsubscribePage, Unsubscribe, EventGridHandshake, EventGridReports,
        ShopifyWebhook, WooCommerceWebhook,
    ];
}
