using System.Net;
using System.Text;
using JourneyFunctions.Host.Tests.Support;

namespace JourneyFunctions.Api.Tests.Storefronts;

/// <summary>
/// <c>docs/storefronts.http</c> stays true: every signature in it is the HMAC of its body with the secret the file
/// says to configure, and every request, sent in order to a host configured that way, gets the status its title
/// promises (401 and 422 where it says so, 200 otherwise).
/// </summary>
public sealed class StorefrontsHttpSampleTests
{
    private const string ShopifySecret = "local-shopify-secret";
    private const string WooSecret = "local-woocommerce-secret";

    private sealed record SampleRequest(string Title, string Method, string Path, IReadOnlyList<(string Name, string Value)> Headers, string Body);

    private static IReadOnlyList<SampleRequest> Read()
    {
        var text = File.ReadAllText(Path.Combine(TestHost.RepositoryRoot, "docs", "storefronts.http")).ReplaceLineEndings("\n");
        var requests = new List<SampleRequest>();
        foreach (var block in text.Split("\n### ").Skip(1))
        {
            var lines = block.Split('\n');
            var requestLine = lines[1].Split(' ', 2);
            var headers = new List<(string, string)>();
            var i = 2;
            for (; i < lines.Length && lines[i].Length > 0 && !lines[i].StartsWith('#'); i++)
            {
                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                headers.Add((lines[i][..colon].Trim(), lines[i][(colon + 1)..].Trim()));
            }

            var body = string.Join('\n', lines.Skip(i + 1).TakeWhile(l => !l.StartsWith('#'))).Trim();
            requests.Add(new SampleRequest(lines[0].Trim(), requestLine[0], requestLine[1].Replace("{{host}}", string.Empty, StringComparison.Ordinal), headers, body));
        }

        return requests;
    }

    [Fact]
    public void StorefrontsHttp_EverySignature_IsTheBodysHmacWithTheDocumentedSecret()
    {
        var signed = Read().Where(r => r.Headers.Any(h => h.Name is "X-Shopify-Hmac-Sha256" or "X-WC-Webhook-Signature")).ToList();

        Assert.True(signed.Count >= 10, $"only {signed.Count} signed requests found");
        foreach (var request in signed.Where(r => !r.Title.Contains("401", StringComparison.Ordinal)))
        {
            var (name, value) = request.Headers.Single(h => h.Name is "X-Shopify-Hmac-Sha256" or "X-WC-Webhook-Signature");
            var secret = name == "X-Shopify-Hmac-Sha256" ? ShopifySecret : WooSecret;
            Assert.True(StorefrontWebhooks.Sign(request.Body, secret) == value, $"'{request.Title}': the signature is not the body's HMAC with {secret}");
        }
    }

    [Fact]
    public async Task StorefrontsHttp_EveryRequestInOrder_GetsTheStatusItsTitleSays()
    {
        await using var host = await TestHost.StartAsync(new Dictionary<string, string?>
        {
            ["Storefronts:Shopify:Shops:0:Domain"] = "northwind.myshopify.com",
            ["Storefronts:Shopify:Shops:0:Secret"] = ShopifySecret,
            ["Storefronts:WooCommerce:Secret"] = WooSecret,
        });

        foreach (var sample in Read())
        {
            var expected = sample.Title.Contains("401", StringComparison.Ordinal) ? HttpStatusCode.Unauthorized
                : sample.Title.Contains("422", StringComparison.Ordinal) ? HttpStatusCode.UnprocessableEntity
                : HttpStatusCode.OK;
            var status = HttpStatusCode.InternalServerError;
            var text = string.Empty;
            await TestHost.WaitUntilAsync(
                async () =>
                {
                    using var request = new HttpRequestMessage(new HttpMethod(sample.Method), sample.Path);
                    if (sample.Body.Length > 0)
                    {
                        request.Content = new StringContent(sample.Body, Encoding.UTF8);
                    }

                    foreach (var (name, value) in sample.Headers)
                    {
                        var v = value.Replace("{{apiKey}}", TestHost.ApiKey, StringComparison.Ordinal);
                        if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                        {
                            request.Content!.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(v);
                        }
                        else
                        {
                            request.Headers.Add(name, v);
                        }
                    }

                    using var response = await host.Anonymous.SendAsync(request);
                    status = response.StatusCode;
                    text = await response.Content.ReadAsStringAsync();

                    // A read may run before the runner has routed the webhooks before it: try it again.
                    return status == expected || sample.Method != "GET";
                },
                $"'{sample.Title}' answers {(int)expected}",
                TimeSpan.FromSeconds(30));
            Assert.True(expected == status, $"'{sample.Title}': expected {(int)expected}, got {(int)status}: {text}");
        }
    }
}
