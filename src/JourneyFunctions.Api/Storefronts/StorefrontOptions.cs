namespace JourneyFunctions.Api.Storefronts;

/// <summary>
/// The storefronts whose webhooks the API accepts (configuration section <c>Storefronts</c>; in the Functions app the
/// app settings <c>Storefronts__Shopify__Shops__0__Domain</c> and so on). Secrets are only ever compared, never logged
/// or returned; keep them in Key Vault references or user secrets, not in files under source control.
/// </summary>
public sealed class StorefrontOptions
{
    public const string SectionName = "Storefronts";

    public ShopifyStorefrontOptions Shopify { get; set; } = new();

    public WooCommerceStorefrontOptions WooCommerce { get; set; } = new();
}

/// <summary>Shopify: one entry per shop, each signed with its own secret (the app's client secret, or the shop's webhook signing key).</summary>
public sealed class ShopifyStorefrontOptions
{
    public IList<ShopifyShopOptions> Shops { get; set; } = [];
}

public sealed class ShopifyShopOptions
{
    /// <summary>The shop's <c>*.myshopify.com</c> domain, as Shopify sends it in <c>X-Shopify-Shop-Domain</c>.</summary>
    public string? Domain { get; set; }

    /// <summary>The key Shopify signs this shop's webhooks with.</summary>
    public string? Secret { get; set; }
}

/// <summary>WooCommerce: the secret set on the store's webhooks (WooCommerce &gt; Settings &gt; Advanced &gt; Webhooks).</summary>
public sealed class WooCommerceStorefrontOptions
{
    public string? Secret { get; set; }
}
