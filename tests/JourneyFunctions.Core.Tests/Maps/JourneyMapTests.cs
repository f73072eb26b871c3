using System.Text.Json;
using System.Text.RegularExpressions;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Maps;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Serialization;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Core.Tests.Engine;
using JourneyFunctions.Core.Tests.Scenarios;

namespace JourneyFunctions.Core.Tests.Maps;

public sealed partial class JourneyMapTests
{
    public static TheoryData<string> SampleJourneys => new() { "abandoned-cart", "welcome-series", "re-engagement", "post-purchase-review" };

    [Theory]
    [MemberData(nameof(SampleJourneys))]
    public void ToMermaid_SampleJourney_IsValidFlowchartWithANodePerStep(string id)
    {
        var journey = Repo.LoadJourney(id);

        var text = JourneyMap.ToMermaid(journey);

        var map = MermaidCheck.Parse(text);
        Assert.Equal("flowchart TD", text.Split('\n')[0]);
        for (var i = 0; i < journey.Steps.Count; i++)
        {
            var step = journey.Steps[i];
            Assert.True(map.Nodes.TryGetValue("s" + i, out var label), $"no node for step {step.Id}");
            Assert.Contains(JourneyMap.Escape(step.Label ?? step.Id), label, StringComparison.Ordinal);
        }

        Assert.Contains(map.Edges, e => e.From == "trigger" && e.To == "s0");
        Assert.Contains(JourneyMap.Escape(journey.Name), map.Nodes["trigger"], StringComparison.Ordinal);
        foreach (var step in journey.Steps.Where(s => s is not ExitStep))
        {
            var index = journey.IndexOf(step.Id);
            Assert.Contains(map.Edges, e => e.From == "s" + index);
        }
    }

    [Fact]
    public void ToMermaid_AbandonedCart_ShowsStageTriggerRulesAndLabelledEdges()
    {
        var journey = Repo.LoadJourney("abandoned-cart");

        var map = MermaidCheck.Parse(JourneyMap.ToMermaid(journey));

        Assert.Contains("stage: decision", map.Nodes["trigger"], StringComparison.Ordinal);
        Assert.Contains("when cart.updated", map.Nodes["trigger"], StringComparison.Ordinal);
        Assert.Contains("one run per cartId", map.Nodes["trigger"], StringComparison.Ordinal);
        Assert.Contains("exits on order.placed", map.Nodes["rules"], StringComparison.Ordinal);
        Assert.Contains("exits on cart.emptied", map.Nodes["rules"], StringComparison.Ordinal);
        Assert.Contains("goal: order.placed within 1 week", map.Nodes["rules"], StringComparison.Ordinal);

        // Steps: 0 grace, 1 reminder-1, 2 wait-order, 3 vip-check, 4 reminder-2, 5 reminder-2-coupon, 6 tag, 7 end.
        Assert.Equal("([", map.Shapes["s0"]);
        Assert.Equal("[/", map.Shapes["s1"]);
        Assert.Equal("{{", map.Shapes["s2"]);
        Assert.Equal("{", map.Shapes["s3"]);
        Assert.Equal(">", map.Shapes["s6"]);
        Assert.Equal("(((", map.Shapes["s7"]);
        Assert.Contains(new MermaidEdge("s2", "s7", "order.placed"), map.Edges);
        Assert.Contains(new MermaidEdge("s2", "s3", "timeout 1 day"), map.Edges);
        Assert.Contains(new MermaidEdge("s3", "s5", "yes"), map.Edges);
        Assert.Contains(new MermaidEdge("s3", "s4", "no"), map.Edges);
        Assert.Contains(new MermaidEdge("s4", "s6", null), map.Edges);
        Assert.Contains("email: cart-reminder-1", map.Nodes["s1"], StringComparison.Ordinal);
        Assert.Contains("wait 1 hour", map.Nodes["s0"], StringComparison.Ordinal);
        Assert.Contains("if contact has tag vip", map.Nodes["s3"], StringComparison.Ordinal);
        Assert.DoesNotContain(map.Edges, e => e.From == "s7");
    }

    [Fact]
    public void ToMermaid_SplitAndLastStepFallsOffTheEnd_ShowsPercentagesAndEndNode()
    {
        var journey = Journey("""
            { "id": "ab", "name": "A/B", "trigger": { "event": "x" }, "steps": [
              { "id": "split", "type": "split", "paths": [ { "percent": 30, "label": "holdout", "next": "b" }, { "percent": 70 } ] },
              { "id": "a", "type": "email", "template": "t-a" },
              { "id": "b", "type": "setField", "field": "seen", "value": true },
              { "id": "hook", "type": "webhook", "url": "https://crm.example/hook" } ] }
            """);

        var map = MermaidCheck.Parse(JourneyMap.ToMermaid(journey));

        Assert.Contains(new MermaidEdge("s0", "s2", "holdout 30%"), map.Edges);
        Assert.Contains(new MermaidEdge("s0", "s1", "B 70%"), map.Edges);
        Assert.Contains(new MermaidEdge("s3", "finish", null), map.Edges);
        Assert.Equal("[/", map.Shapes["s0"]);
        Assert.Equal("[(", map.Shapes["s2"]);
        Assert.Equal("[[", map.Shapes["s3"]);
        Assert.Contains("set seen = true", map.Nodes["s2"], StringComparison.Ordinal);
        Assert.False(map.Nodes.ContainsKey("rules"));
    }

    [Fact]
    public void ToMermaid_BranchWithoutThen_GoesWhereTheMachineGoes()
    {
        // Both read the one step graph: a branch without "then" goes to its "next", not to the following step.
        var journey = Journey("""
            { "id": "m", "name": "M", "trigger": { "event": "go" }, "steps": [
              { "id": "check", "type": "branch", "if": { "tag": "vip" }, "else": "b", "next": "c" },
              { "id": "a", "type": "email", "template": "t-a" },
              { "id": "b", "type": "email", "template": "t-b" },
              { "id": "c", "type": "email", "template": "t-c" } ] }
            """);

        var started = MachineTestKit.Start(journey, MachineTestKit.Contact(tags: ["vip"]), MachineTestKit.Now);
        var map = MermaidCheck.Parse(JourneyMap.ToMermaid(journey));

        var send = Assert.IsType<ExecuteActivity>(Assert.Single(started.Commands));
        Assert.Equal("c", send.Request.StepId);
        Assert.Contains(new MermaidEdge("s0", "s3", "yes"), map.Edges);
        Assert.Contains(new MermaidEdge("s0", "s2", "no"), map.Edges);
        Assert.DoesNotContain(map.Edges, e => e.From == "s0" && e.To == "s1");
    }

    [Fact]
    public void ToMermaid_LabelsWithQuotesBracketsAndPipes_AreEscaped()
    {
        var journey = Journey("""
            { "id": "esc", "name": "Say \"hi\" [now] {x}", "trigger": { "event": "a|b" }, "steps": [
              { "id": "w", "type": "waitForEvent", "event": "odd\"(name)", "timeout": "PT1H", "label": "Wait <b>#1</b> | (x) [y] {z} `q`" },
              { "id": "x", "type": "exit", "reason": "done\nfor \"now\"" } ] }
            """);

        var text = JourneyMap.ToMermaid(journey);

        var map = MermaidCheck.Parse(text);
        Assert.Contains("Wait #lt;b#gt;#35;1#lt;/b#gt; #124; #40;x#41; #91;y#93; #123;z#125; #96;q#96;", map.Nodes["s0"], StringComparison.Ordinal);
        Assert.Contains(map.Edges, e => e.From == "s0" && e.Label == "odd#quot;#40;name#41;");
        Assert.Contains("done for #quot;now#quot;", map.Nodes["s1"], StringComparison.Ordinal);
        Assert.Contains("Say #quot;hi#quot; #91;now#93; #123;x#125;", map.Nodes["trigger"], StringComparison.Ordinal);
    }

    [Fact]
    public void ToMermaid_WithStats_ShowsLiveCountsPerStep()
    {
        var journey = Repo.LoadJourney("abandoned-cart");
        var steps = journey.Steps.Select((s, i) => new StepStats(s.Id, s.Kind, Visited: 100 - i, WaitingNow: s.Id == "wait-order" ? 7 : 0, EmailsSent: s is EmailStep ? 40 + i : 0, EmailsSkipped: 0, 0, 0, 0, 0, Exited: s.Id == "wait-order" ? 12 : 0)).ToList();
        var stats = new JourneyStats("abandoned-cart", 3, Entered: 100, Active: 9, Finished: 50, Exited: 20, Goals: 25, Cancelled: 0, Failed: 0, EmailsSent: 130, ConversionRate: 0.25, steps);

        var map = MermaidCheck.Parse(JourneyMap.ToMermaid(journey, stats));

        Assert.Contains("entered 100 · active 9 · goals 25 · conversion 25%", map.Nodes["trigger"], StringComparison.Ordinal);
        Assert.Contains("visited 99 · waiting 0 · sent 41", map.Nodes["s1"], StringComparison.Ordinal);
        Assert.Contains("visited 98 · waiting 7 · exited here 12", map.Nodes["s2"], StringComparison.Ordinal);
    }

    [Fact]
    public void ToMermaid_DanglingStepId_DrawsAMissingNode()
    {
        var journey = Journey("""
            { "id": "bad", "name": "Bad", "trigger": { "event": "x" }, "steps": [
              { "id": "b", "type": "branch", "if": { "tag": "vip" }, "then": "no-such-step" },
              { "id": "e", "type": "exit" } ] }
            """);

        var map = MermaidCheck.Parse(JourneyMap.ToMermaid(journey));

        var edge = Assert.Single(map.Edges, e => e.From == "s0" && e.Label == "yes");
        Assert.StartsWith("missing_no_such_step_", edge.To, StringComparison.Ordinal);
        Assert.Contains("missing step: no-such-step", map.Nodes[edge.To], StringComparison.Ordinal);
    }

    [Fact]
    public void ToMermaid_SameJourneyTwice_GivesTheSameText()
    {
        var journey = Repo.LoadJourney("post-purchase-review");

        Assert.Equal(JourneyMap.ToMermaid(journey), JourneyMap.ToMermaid(Repo.LoadJourney("post-purchase-review")));
    }

    private static JourneyDefinition Journey(string json) => JourneyJson.DeserializeJourney(json);

    /// <summary>
    /// A strict reader of the Mermaid subset the map writes: every line is a comment, a node with a quoted label in a
    /// known shape, an edge between defined nodes (optionally with a quoted label), or a class line. It fails on
    /// anything else, so an unescaped quote or bracket in a label breaks the test as it would break Mermaid.
    /// </summary>
    private static partial class MermaidCheck
    {
        private static readonly (string Open, string Close)[] KnownShapes =
        [
            ("(((", ")))"), ("([", "])"), ("[/", "/]"), ("[/", "\\]"), ("{{", "}}"), ("{", "}"), ("[(", ")]"), ("[[", "]]"), ("((", "))"), (">", "]"), ("[", "]"),
        ];

        public static MermaidMap Parse(string text)
        {
            Assert.EndsWith("\n", text, StringComparison.Ordinal);
            var lines = text.TrimEnd('\n').Split('\n');
            Assert.Equal("flowchart TD", lines[0]);
            var nodes = new Dictionary<string, string>(StringComparer.Ordinal);
            var shapes = new Dictionary<string, string>(StringComparer.Ordinal);
            var edges = new List<MermaidEdge>();
            foreach (var line in lines.Skip(1))
            {
                Assert.StartsWith("    ", line, StringComparison.Ordinal);
                var body = line[4..];
                if (body.StartsWith("%%", StringComparison.Ordinal) || ClassLine().IsMatch(body))
                {
                    continue;
                }

                if (EdgeLine().Match(body) is { Success: true } edge)
                {
                    var label = edge.Groups["label"].Success ? edge.Groups["label"].Value : null;
                    if (label is not null)
                    {
                        AssertCleanLabel(label, line);
                    }

                    edges.Add(new MermaidEdge(edge.Groups["from"].Value, edge.Groups["to"].Value, label));
                    continue;
                }

                var id = NodeId().Match(body);
                Assert.True(id.Success, $"not a Mermaid line: {line}");
                var rest = body[id.Length..];
                var shape = KnownShapes.FirstOrDefault(s => rest.StartsWith(s.Open + "\"", StringComparison.Ordinal) && rest.EndsWith("\"" + s.Close, StringComparison.Ordinal));
                Assert.True(shape.Open is not null, $"unknown shape or unquoted label: {line}");
                var content = rest[(shape.Open.Length + 1)..^(shape.Close.Length + 1)];
                AssertCleanLabel(content, line);
                Assert.True(nodes.TryAdd(id.Value, content), $"node {id.Value} defined twice");
                shapes[id.Value] = shape.Open;
            }

            foreach (var e in edges)
            {
                Assert.True(nodes.ContainsKey(e.From), $"edge from undefined node {e.From}");
                Assert.True(nodes.ContainsKey(e.To), $"edge to undefined node {e.To}");
            }

            return new MermaidMap(nodes, shapes, edges);
        }

        private static void AssertCleanLabel(string label, string line)
        {
            var withoutBreaks = label.Replace("<br/>", string.Empty, StringComparison.Ordinal);
            Assert.True(withoutBreaks.IndexOfAny(['"', '[', ']', '{', '}', '(', ')', '<', '>', '|', '`', '\n']) < 0, $"unescaped character in label: {line}");
        }

        [GeneratedRegex(@"^(?<from>[A-Za-z][A-Za-z0-9_]*) (-->|-\.-)(\|""(?<label>[^""]*)""\|)? (?<to>[A-Za-z][A-Za-z0-9_]*)$")]
        private static partial Regex EdgeLine();

        [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]*")]
        private static partial Regex NodeId();

        [GeneratedRegex(@"^(classDef [a-z]+ [^\n]+|class [A-Za-z0-9_,]+ [a-z]+)$")]
        private static partial Regex ClassLine();
    }

    private sealed record MermaidMap(Dictionary<string, string> Nodes, Dictionary<string, string> Shapes, List<MermaidEdge> Edges);

    private sealed record MermaidEdge(string From, string To, string? Label);
}
