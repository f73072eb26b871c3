using System.Text.Json;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Templates;

namespace JourneyFunctions.Infrastructure.Tests.Templates;

public sealed class LiquidTemplateRendererTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("jf-templates-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Check_UnclosedIf_ReportsFileAndLine()
    {
        Write("broken", "Hello", "<p>Hi</p>\n<p>\n{% if contact.firstName %}{{ contact.firstName }}\n</p>");

        var problems = Renderer().Check("broken", new TemplateScope([]));

        var problem = Assert.Single(problems);
        Assert.Equal("template \"broken\" (body.html.liquid, line 3) does not parse: the \"if\" opened here is never closed with \"endif\"", problem);
    }

    [Fact]
    public void Check_UnknownTagAndUnclosedOutput_ReportsEachWithItsLine()
    {
        Write("broken", "Hi {{ contact.firstName", "<p>\n{% bogus %}\n</p>");

        var problems = Renderer().Check("broken", new TemplateScope([]));

        Assert.Contains("template \"broken\" (subject.liquid, line 1) does not parse: \"{{\" is never closed with \"}}\"", problems);
        Assert.Contains("template \"broken\" (body.html.liquid, line 2) does not parse: \"bogus\" is not a Liquid tag", problems);
    }

    [Fact]
    public void Check_UnknownRoot_SaysWhatJourneysProvideAndSuggests()
    {
        Write("cart-reminder-1", "Your cart", "<table>\n{% for item in cart.items %}\n<tr><td>{{ item.name }}</td></tr>\n{% endfor %}\n</table>");

        var problems = Renderer().Check("cart-reminder-1", new TemplateScope([]));

        var problem = Assert.Single(problems);
        Assert.Equal(
            "template \"cart-reminder-1\" (body.html.liquid, line 2) uses \"cart.items\", but a journey only provides contact, trigger, event, events, journey, step, unsubscribe_url and now: did you mean \"trigger.items\"?",
            problem);
    }

    [Theory]
    [InlineData("first_name", "contact.firstName")]
    [InlineData("customer.firstName", "contact.firstName")]
    [InlineData("contcat.email", "contact.email")]
    [InlineData("unsubscribeUrl", "unsubscribe_url")]
    [InlineData("order.orderId", "trigger.orderId")]
    [InlineData("total", "trigger.total")]
    [InlineData("zzzzzz", null)]
    public void Suggest_CommonMistakes_PointsToTheProvidedVariable(string path, string? expected)
    {
        Assert.Equal(expected, LiquidTemplateRenderer.Suggest(path));
    }

    [Fact]
    public void Check_EventsOfAStepNotInScope_Reported()
    {
        Write("t", "Hi", "<p>{{ events.wait-order.orderId }}</p>\n<p>{{ events[\"wait-review\"].rating }}</p>");

        var problems = Renderer().Check("t", new TemplateScope(["wait-order"]));

        var problem = Assert.Single(problems);
        Assert.Equal(
            "template \"t\" (body.html.liquid, line 2) uses \"events.wait-review.rating\", but there is no waitForEvent or webhook step \"wait-review\" it can come from: the steps whose events it can use are \"wait-order\"",
            problem);
    }

    [Fact]
    public void Check_AssignCaptureLoopAndStringContents_NotReported()
    {
        Write(
            "t",
            "{% assign name = contact.firstName | default: 'friend' %}Hi {{ name }}",
            """
            {% capture greeting %}Hello {{ contact.firstName }}{% endcapture %}{{ greeting }}
            {% for item in trigger.items limit: 3 %}{{ forloop.index }} {{ item.name | upcase }} {{ item.price | money: trigger.currency }}{% endfor %}
            {% if trigger.total > 100 and contact.tags contains "vip" %}{{ "cart.items and other text" }}{% endif %}
            {% raw %}{{ not.a.variable }}{% endraw %}
            {{ now | date: "%Y" }} {{ journey.name }} {{ step.id }} {{ event.rating }} <a href="{{ unsubscribe_url }}">x</a>
            """);

        var problems = Renderer().Check("t", new TemplateScope([]));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Notes_NumericFilters_SayWhichFiltersTakeWhichVariableWithFileAndLine()
    {
        Write(
            "t",
            "{{ trigger.count | plus: 1 }} items",
            "<table>\n{% for line in trigger.lines %}\n<tr><td>{{ line.price | times: line.qty | money: trigger.currency }}</td></tr>\n{% endfor %}\n</table>\n"
            + "{% assign net = trigger.total | minus: trigger.discount %}{{ net | money }} {{ 'price | times: 2' }} {{ trigger.name | upcase }}\n{% include 'totals' %}");
        Directory.CreateDirectory(Path.Combine(_directory, "_partials"));
        File.WriteAllText(Path.Combine(_directory, "_partials", "totals.liquid"), "<p>\n{{ trigger.shipping | money: 'EUR' }}</p>");

        var notes = Renderer().Notes("t");

        const string Expects = "a number (a JSON number, or text in plain notation such as \"29.95\"); any other value is printed as it came";
        Assert.Equal(
            [
                $"template \"t\" (subject.liquid, line 1) applies plus to \"trigger.count\": this filter expects {Expects}",
                $"template \"t\" (body.html.liquid, line 3) applies times and money to \"line.price\" (each of trigger.lines): these filters expect {Expects}",
                $"template \"t\" (body.html.liquid, line 3) applies times to \"line.qty\" (each of trigger.lines): this filter expects {Expects}",
                $"template \"t\" (body.html.liquid, line 6) applies minus to \"trigger.total\": this filter expects {Expects}",
                $"template \"t\" (body.html.liquid, line 6) applies minus to \"trigger.discount\": this filter expects {Expects}",
                $"template \"t\" (_partials/totals.liquid, line 2) applies money to \"trigger.shipping\": this filter expects {Expects}",
            ],
            notes);
        Assert.Empty(Renderer().Check("t", new TemplateScope([])));
    }

    [Fact]
    public void Validate_SampleCartJourney_NotesTheCartFieldsThatMustBeNumbers()
    {
        var json = File.ReadAllText(Path.Combine(JourneyFunctions.Infrastructure.Tests.Fixtures.RepoPaths.RepoRoot, "journeys", "abandoned-cart.json"));

        var result = JourneyFunctions.Core.Validation.JourneyValidator.Validate(json, new LiquidTemplateRenderer(SampleModels.TemplatesDirectory));

        Assert.True(result.IsValid);
        Assert.Contains(result.Notes, n => n.StartsWith("$.steps[1].template: template \"cart-reminder-1\" (_partials/items.liquid, line 9) applies times and money to \"item.price\" (each of trigger.items)", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.StartsWith("$.steps[1].template: template \"cart-reminder-1\" (_partials/items.liquid, line 16) applies money to \"trigger.total\"", StringComparison.Ordinal));
        Assert.Contains(result.Notes, n => n.StartsWith("$.steps[5].template: template \"cart-reminder-2-coupon\" (body.html.liquid, line 3) applies times to \"trigger.total\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_MissingPartial_Reported()
    {
        Write("t", "Hi", "<p>\n{% include 'signature' %}</p>");

        var problem = Assert.Single(Renderer().Check("t", new TemplateScope([])));

        Assert.Equal("template \"t\" (body.html.liquid, line 2) includes \"signature\", but there is no _partials/signature.liquid in the templates folder", problem);
    }

    [Fact]
    public void Check_UnknownVariableInPartial_ReportedWithThePartialFile()
    {
        Write("t", "Hi", "{% include 'footer' %}");
        Directory.CreateDirectory(Path.Combine(_directory, "_partials"));
        File.WriteAllText(Path.Combine(_directory, "_partials", "footer.liquid"), "<p>\n{{ shop.address }}</p>");

        var problem = Assert.Single(Renderer().Check("t", new TemplateScope([])));

        Assert.StartsWith("template \"t\" (_partials/footer.liquid, line 2) uses \"shop.address\"", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_MissingTemplate_SaysWhatToAdd()
    {
        var problem = Assert.Single(Renderer().Check("nope", new TemplateScope([])));

        Assert.Contains("does not exist", problem, StringComparison.Ordinal);
        Assert.False(Renderer().Exists("nope"));
        Assert.False(Renderer().Exists("../templates"));
    }

    [Fact]
    public async Task RenderAsync_JsonModel_LoopsObjectsAndFormatsMoneyAndDates()
    {
        Write(
            "t",
            "Order {{ trigger.orderId }} on {{ trigger.placedAt | date: \"%b %d, %Y\" }}",
            "{% for item in trigger.items %}{{ item.name }} x{{ item.quantity }} {{ item.price | money: trigger.currency }};{% endfor %}"
            + " paid={{ trigger.paid }} tags={{ contact.tags | join: ',' }} step={{ events.wait-order.note }} v={{ journey.version }}");
        var trigger = JsonDocument.Parse("""
            { "orderId": "A1", "placedAt": "2026-11-20T18:45:00+01:00", "currency": "USD", "paid": true,
              "items": [ { "name": "Pan", "quantity": 1, "price": 1045.5 }, { "name": "Mug", "quantity": 2, "price": 9 } ] }
            """).RootElement;
        var events = new Dictionary<string, JsonElement> { ["wait-order"] = JsonDocument.Parse("""{ "note": "<ok>" }""").RootElement };

        var email = await Renderer().RenderAsync("t", SampleModels.Model("t", trigger: trigger, events: events));

        Assert.Equal("Order A1 on Nov 20, 2026", email.Subject);
        Assert.Equal("Pan x1 $1,045.50;Mug x2 $9.00; paid=true tags=newsletter,vip step=&lt;ok&gt; v=3", email.Html);
        Assert.Equal("Pan x1 $1,045.50;Mug x2 $9.00; paid=true tags=newsletter,vip step=<ok> v=3\n", email.Text);
    }

    [Fact]
    public async Task RenderAsync_DataTheFiltersCannotFormat_RendersAsGivenOrEmptyAndNeverThrows()
    {
        Write(
            "t",
            "s={{ trigger.obj }}",
            "{{ trigger.comma | money: \"EUR\" }}|{{ trigger.comma | times: 2 }}|{{ trigger.big | money: \"EUR\" }}|{{ trigger.huge | money: \"EUR\" }}"
            + "|{{ trigger.obj | money: \"EUR\" }}|{{ trigger.list | money }}|{{ trigger.max | times: 10 }}|{{ trigger.big | plus: 1 }}|{{ trigger.obj }}|{{ trigger.price | money: \"EUR\" }}");
        var trigger = JsonDocument.Parse("""
            { "comma": "29,95", "big": 1e30, "huge": 1e400, "obj": { "a": 1 }, "list": [ { "a": 1 } ], "max": 70000000000000000000000000000, "price": "29.95" }
            """).RootElement;

        var email = await Renderer().RenderAsync("t", SampleModels.Model("t", trigger: trigger));

        Assert.Equal("29,95|29,95|1E+30|1e400|||70000000000000000000000000000|1E+30||€29.95", email.Html);
        Assert.Equal("s=", email.Subject);
        Assert.DoesNotContain("DotLiquid", email.Subject + email.Html + email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Fluid", email.Subject + email.Html + email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_HtmlBody_EncodesDataButNotSubjectOrRawOutput()
    {
        Write("t", "For {{ contact.firstName }}", "<p>{{ contact.firstName }}</p><p>{{ contact.bio | raw }}</p>");
        var contact = SampleModels.Contact("<b>Ann & Co</b>") with
        {
            Fields = new Dictionary<string, JsonElement>
            {
                ["firstName"] = JsonSerializer.SerializeToElement("<b>Ann & Co</b>"),
                ["bio"] = JsonSerializer.SerializeToElement("<em>hi</em>"),
            },
        };

        var email = await Renderer().RenderAsync("t", SampleModels.Model("t", contact));

        Assert.Equal("For <b>Ann & Co</b>", email.Subject);
        Assert.Equal("<p>&lt;b&gt;Ann &amp; Co&lt;/b&gt;</p><p><em>hi</em></p>", email.Html);
    }

    [Fact]
    public async Task RenderAsync_BrokenTemplate_ThrowsWithFileAndLine()
    {
        Write("t", "Hi", "<p>\n{% for x in trigger.items %}");

        var exception = await Assert.ThrowsAsync<TemplateRenderException>(() => Renderer().RenderAsync("t", SampleModels.Model("t")));

        Assert.Contains("(body.html.liquid, line 2)", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_CancelledWhileRendering_IsACancellationNotABrokenTemplate()
    {
        // A render far longer than the caller's patience: the engine sees the token between statements.
        Write("t", "Hi", "<p>{% for i in (1..50000000) %}{{ i }}{% endfor %}</p>");
        using var patience = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Renderer().RenderAsync("t", SampleModels.Model("t"), patience.Token));
    }

    [Fact]
    public async Task RenderAsync_AssignInOnePart_NotSeenByTheOthersNorTheNextEmail()
    {
        Write("t", "{% assign contact = 'x' %}{% assign mark = 'S' %}{{ mark }}", "<p>{{ mark }}|{{ contact.firstName }}</p>");
        var renderer = Renderer();

        var first = await renderer.RenderAsync("t", SampleModels.Model("t"));
        var second = await renderer.RenderAsync("t", SampleModels.Model("t"));

        Assert.Equal("S", first.Subject);
        Assert.Equal("<p>|Ann</p>", first.Html);
        Assert.Equal(first, second);
    }

    [Fact]
    public async Task RenderAsync_ManyThreadsAtOnce_RenderTheSameOutput()
    {
        var renderer = new LiquidTemplateRenderer(SampleModels.TemplatesDirectory);
        var expected = await renderer.RenderAsync("cart-reminder-1", SampleModels.Model("cart-reminder-1"));

        var results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => renderer.RenderAsync("cart-reminder-1", SampleModels.Model("cart-reminder-1")))));

        Assert.All(results, result => Assert.Equal(expected, result));
    }

    [Fact]
    public async Task RenderAsync_ManyThreadsWithTheirOwnModels_EachGetsItsOwnOutput()
    {
        var renderer = new LiquidTemplateRenderer(SampleModels.TemplatesDirectory);
        var names = Enumerable.Range(0, 200).Select(i => $"Name{i}").ToList();

        var results = await Task.WhenAll(names.Select(name => Task.Run(() => renderer.RenderAsync("cart-reminder-1", SampleModels.Model("cart-reminder-1", SampleModels.Contact(name))))));

        for (var i = 0; i < names.Count; i++)
        {
            Assert.StartsWith($"{names[i]}, you left something", results[i].Subject, StringComparison.Ordinal);
            Assert.Contains($"Hi {names[i]}, we saved your cart", results[i].Html, StringComparison.Ordinal);
            Assert.Contains("Total", results[i].Html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RenderAsync_TemplateAndPartialEdited_RendersTheNewText()
    {
        Write("t", "Hi", "<p>{% include 'sign' %}</p>");
        Directory.CreateDirectory(Path.Combine(_directory, "_partials"));
        var partial = Path.Combine(_directory, "_partials", "sign.liquid");
        File.WriteAllText(partial, "Ann");
        var renderer = new LiquidTemplateRenderer(_directory, TimeSpan.Zero);
        Assert.Equal("<p>Ann</p>", (await renderer.RenderAsync("t", SampleModels.Model("t"))).Html);

        File.WriteAllText(partial, "The team of {{ journey.name }}");
        File.WriteAllText(Path.Combine(_directory, "t", LiquidTemplateRenderer.HtmlFile), "<div>{% include 'sign' %}</div>");
        var edited = await renderer.RenderAsync("t", SampleModels.Model("t"));

        Assert.Equal("<div>The team of Sample journey</div>", edited.Html);
    }

    [Fact]
    public async Task RenderAsync_TemplateDeletedAfterARender_DoesNotExist()
    {
        Write("t", "Hi", "<p>x</p>");
        var renderer = new LiquidTemplateRenderer(_directory, TimeSpan.Zero);
        await renderer.RenderAsync("t", SampleModels.Model("t"));

        File.Delete(Path.Combine(_directory, "t", LiquidTemplateRenderer.HtmlFile));

        var exception = await Assert.ThrowsAsync<TemplateRenderException>(() => renderer.RenderAsync("t", SampleModels.Model("t")));
        Assert.Contains("does not exist", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_EditWithinTheCheckInterval_KeepsTheParsedTemplate()
    {
        Write("t", "Hi", "<p>one</p>");
        var renderer = new LiquidTemplateRenderer(_directory, TimeSpan.FromHours(1));
        await renderer.RenderAsync("t", SampleModels.Model("t"));

        File.WriteAllText(Path.Combine(_directory, "t", LiquidTemplateRenderer.HtmlFile), "<p>two, longer</p>");

        Assert.Equal("<p>one</p>", (await renderer.RenderAsync("t", SampleModels.Model("t"))).Html);
        Assert.Equal("<p>two, longer</p>", (await new LiquidTemplateRenderer(_directory, TimeSpan.Zero).RenderAsync("t", SampleModels.Model("t"))).Html);
    }

    [Fact]
    public async Task RenderAsync_PartialDoesNotParse_ThrowsNamingTheTemplateAndThePartial()
    {
        Write("t", "Hi", "<p>{% include 'sign' %}</p>");
        Directory.CreateDirectory(Path.Combine(_directory, "_partials"));
        File.WriteAllText(Path.Combine(_directory, "_partials", "sign.liquid"), "a\n{% if x %}never closed");

        var exception = await Assert.ThrowsAsync<TemplateRenderException>(() => Renderer().RenderAsync("t", SampleModels.Model("t")));

        Assert.Contains("template \"t\" (body.html.liquid)", exception.Message, StringComparison.Ordinal);
        Assert.Contains("partial \"sign\" (_partials/sign.liquid, line 2) does not parse", exception.Message, StringComparison.Ordinal);
        Assert.False(exception.Permanent, "a broken partial is fixed by the operator: its runs retry, as for a broken template");
    }

    [Fact]
    public async Task RenderAsync_PartialIncludingItself_FailsPermanentlyNamingTheTemplate()
    {
        Write("t", "Hi", "<p>{% include 'loop' %}</p>");
        Directory.CreateDirectory(Path.Combine(_directory, "_partials"));
        File.WriteAllText(Path.Combine(_directory, "_partials", "loop.liquid"), "x{% include 'loop' %}");

        var exception = await Assert.ThrowsAsync<TemplateRenderException>(() => Renderer().RenderAsync("t", SampleModels.Model("t")));

        Assert.True(exception.Permanent, "the template parsed and failed when rendered: the step fails for good");
        Assert.StartsWith("template \"t\" (body.html.liquid) failed to render", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("../t/subject")]
    [InlineData("/etc/hostname")]
    public async Task RenderAsync_PartialNameOutsideThePartialsFolder_DoesNotExist(string name)
    {
        Write("t", "Hi", $"<p>{{% include '{name}' %}}</p>");
        File.WriteAllText(Path.Combine(_directory, "secret.liquid"), "SECRET");

        var exception = await Assert.ThrowsAsync<TemplateRenderException>(() => Renderer().RenderAsync("t", SampleModels.Model("t")));

        Assert.Contains("does not exist", exception.Message, StringComparison.Ordinal);
        Assert.Contains($"includes \"{name}\", but there is no", Assert.Single(Renderer().Check("t", new TemplateScope([]))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_LiquidAndHtmlInData_PrintedAsTextNeverEvaluated()
    {
        Write("t", "For {{ contact.firstName }}", "<p>{{ contact.firstName }}</p>");
        var name = "{{ 6 | times: 7 }}{% include 'footer' %}<b>x</b>";
        var contact = SampleModels.Contact(name);

        var email = await new LiquidTemplateRenderer(SampleModels.TemplatesDirectory).RenderAsync("welcome", SampleModels.Model("welcome", contact));
        var own = await Renderer().RenderAsync("t", SampleModels.Model("t", contact));

        Assert.Equal("For " + name, own.Subject);
        Assert.Equal("<p>{{ 6 | times: 7 }}{% include &#39;footer&#39; %}&lt;b&gt;x&lt;/b&gt;</p>", own.Html);
        Assert.DoesNotContain("42", own.Html + own.Subject, StringComparison.Ordinal);
        Assert.Contains("{{ 6 | times: 7 }}{% include &#39;footer&#39; %}&lt;b&gt;x&lt;/b&gt;", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_RenderTag_PartialGetsItsArgumentsButNotTheIncludersAssigns()
    {
        Write("t", "Hi", "{% assign secret = 'leaked' %}<p>{% render 'card', title: trigger.orderId %}</p><p>{% include 'card', title: 'inc' %}</p>");
        Directory.CreateDirectory(Path.Combine(_directory, "_partials"));
        File.WriteAllText(Path.Combine(_directory, "_partials", "card.liquid"), "[{{ title }}|{{ secret }}|{{ contact.firstName }}]");
        var trigger = JsonDocument.Parse("""{ "orderId": "<A1>" }""").RootElement;

        var email = await Renderer().RenderAsync("t", SampleModels.Model("t", trigger: trigger));

        Assert.Equal("<p>[&lt;A1&gt;||Ann]</p><p>[inc|leaked|Ann]</p>", email.Html);
    }

    [Fact]
    public void Check_RenderedPartialUsesTheIncludersAssign_Reported()
    {
        Write("t", "Hi", "{% assign shown = 1 %}<p>\n{% render 'card', title: 'x' %}</p>");
        Directory.CreateDirectory(Path.Combine(_directory, "_partials"));
        File.WriteAllText(Path.Combine(_directory, "_partials", "card.liquid"), "{{ title }} {{ contact.email }}\n{{ shown }}");

        var problem = Assert.Single(Renderer().Check("t", new TemplateScope([])));

        Assert.StartsWith("template \"t\" (_partials/card.liquid, line 2) uses \"shown\"", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RenderAsync_MissingPartial_SaysWhatToAdd()
    {
        Write("t", "Hi", "<p>{% include 'nowhere' %}</p>");

        var exception = await Assert.ThrowsAsync<TemplateRenderException>(() => Renderer().RenderAsync("t", SampleModels.Model("t")));

        Assert.Contains("partial \"nowhere\" does not exist: add _partials/nowhere.liquid", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ 19.99 | times: 3 }}", "59.97")]
    [InlineData("{{ 10 | divided_by: 4 }}", "2")]
    [InlineData("{{ 10.0 | divided_by: 4 }}", "2.5")]
    [InlineData("{{ 5 | divided_by: 0 }}", "5")]
    [InlineData("{{ 0.1 | plus: 0.2 }}", "0.3")]
    [InlineData("{{ 7 | minus: 10 }}", "-3")]
    [InlineData("{{ 7 | modulo: 4 }}", "3")]
    [InlineData("{{ 'abc' | plus: 1 }}", "abc")]
    public async Task RenderAsync_ArithmeticFilters_ExactDecimals(string liquid, string expected)
    {
        Write("t", liquid, "x");

        var email = await Renderer().RenderAsync("t", SampleModels.Model("t"));

        Assert.Equal(expected, email.Subject);
    }

    [Theory]
    [InlineData(1234.5, "EUR", "€1,234.50")]
    [InlineData(12, "USD", "$12.00")]
    [InlineData(1500, "JPY", "¥1,500")]
    [InlineData(9.999, "GBP", "£10.00")]
    [InlineData(-5, "EUR", "-€5.00")]
    [InlineData(7.5, "CZK", "CZK 7.50")]
    [InlineData(7.5, "kr ", "kr7.50")]
    [InlineData(7.5, null, "7.50")]
    public void Money_AmountAndCurrency_FormatsInvariant(double amount, string? currency, string expected)
    {
        Assert.Equal(expected, LiquidFilters.Money((decimal)amount, currency));
    }

    [Fact]
    public void HtmlToText_Html_ReadableWithLinksAndNoTags()
    {
        var text = HtmlToText.Convert("""
            <html><head><style>p{color:red}</style></head><body>
            <div style="display:none;max-height:0">Preheader text</div>
            <h1>Hello &amp; welcome</h1><p>Line one<br>line&nbsp;two</p>
            <ul><li>First</li><li>Second</li></ul>
            <p><a href="https://x.example/a?b=1&amp;c=2">Click here</a> or <a href="https://x.example/">https://x.example/</a></p>
            <table><tr><td>Qty</td><td>2</td></tr></table>
            </body></html>
            """);

        Assert.Equal("Hello & welcome\n\nLine one\nline two\n\n- First\n- Second\n\nClick here (https://x.example/a?b=1&c=2) or https://x.example/\n\nQty 2\n", text);
    }

    private LiquidTemplateRenderer Renderer() => new(_directory);

    private void Write(string name, string subject, string html)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_directory, name)).FullName;
        File.WriteAllText(Path.Combine(folder, LiquidTemplateRenderer.SubjectFile), subject);
        File.WriteAllText(Path.Combine(folder, LiquidTemplateRenderer.HtmlFile), html);
    }
}
