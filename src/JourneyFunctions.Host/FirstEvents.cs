namespace JourneyFunctions.Host;

/// <summary>
/// The first events a new user posts, as the serve banner prints them. README.md's quickstart carries the same two
/// events (formatted over several lines); a host test reads them out of the README, checks they are these, posts
/// them to a real host and looks in its outbox, so the README, the banner and what the host does cannot drift apart.
/// Each carries every field its templates use (the contact's first name, the cart's link, items and total).
/// </summary>
public static class FirstEvents
{
    /// <summary>Ana signs up: the welcome series sends its welcome at once.</summary>
    public const string Subscribed =
        """{"contactId":"ana","name":"contact.subscribed","contact":{"email":"ana@example.com","timeZone":"Europe/Madrid","marketingConsent":true,"fields":{"firstName":"Ana"}}}""";

    /// <summary>Ana leaves a cart: the abandoned-cart journey reminds her an hour later, inside Madrid's send window.</summary>
    public const string CartUpdated =
        """{"contactId":"ana","name":"cart.updated","contact":{"email":"ana@example.com","timeZone":"Europe/Madrid","marketingConsent":true},"data":{"cartId":"c-1","cartUrl":"https://northwind.example/cart/c-1","total":59.90,"currency":"EUR","items":[{"sku":"TEE-1","name":"Linen tee","quantity":2,"price":29.95}]}}""";
}
