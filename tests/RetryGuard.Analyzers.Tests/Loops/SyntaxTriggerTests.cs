using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using RetryGuard.Analyzers.Model;
using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>
/// The loop test of <see cref="SyntaxTriggers"/>: which loops are bound at all. A loop ruled out here is never
/// analysed, so every "not bound" case must be one the recognizer cannot call a retry (the
/// <see cref="TriggerChecker"/> that runs after every analyzer test checks that in general), and every loop where a
/// failure may reach a wait or a <c>continue</c> must stay bound.
/// </summary>
public sealed class SyntaxTriggerTests
{
    private const string Prefix = """
        using System;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        public record Job(string State);

        public sealed class Client
        {
            private readonly HttpClient http = new();

        """;

    private const string Suffix = """

            private static Task<Job> ReadJobAsync(HttpResponseMessage response) => Task.FromResult(new Job("done"));
            private static Task ProcessAsync() => Task.CompletedTask;
        }

        """;

    // ------------------------------------------------------------------ not bound

    [Fact]
    public void Poll_that_waits_only_on_202_is_not_bound() => Assert.False(Triggers("""
        public async Task<HttpResponseMessage> Poll(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    await Task.Delay(2000);
                    continue;
                }
                return response;
            }
        }
        """));

    [Fact]
    public void Poll_that_leaves_on_anything_but_202_is_not_bound() => Assert.False(Triggers("""
        public async Task<HttpResponseMessage> Poll(string location)
        {
            for (;;)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode != System.Net.HttpStatusCode.Accepted) return response;
                await Task.Delay(2000);
            }
        }
        """));

    [Fact]
    public void Poll_on_a_numeric_202_is_not_bound() => Assert.False(Triggers("""
        public async Task<HttpResponseMessage> Poll(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (!((int)response.StatusCode != 202)) { await Task.Delay(2000); continue; }
                return response;
            }
        }
        """));

    [Fact]
    public void Poll_on_a_job_state_string_is_not_bound() => Assert.False(Triggers("""
        public async Task<Job> Poll(string location)
        {
            while (true)
            {
                var job = await ReadJobAsync(await http.GetAsync(location));
                if (job.State == "running")
                {
                    await Task.Delay(500);
                    continue;
                }
                return job;
            }
        }
        """));

    [Fact]
    public void Poll_on_a_pattern_of_success_statuses_is_not_bound() => Assert.False(Triggers("""
        public async Task<HttpResponseMessage> Poll(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode is (HttpStatusCode.Accepted or HttpStatusCode.Created)) { await Task.Delay(2000); continue; }
                return response;
            }
        }
        """));

    [Fact]
    public void Poll_that_leaves_on_a_pattern_of_anything_but_204_is_not_bound() => Assert.False(Triggers("""
        public async Task<HttpResponseMessage> Poll(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode is not HttpStatusCode.NoContent) return response;
                await Task.Delay(1000);
            }
        }
        """));

    [Fact]
    public void Poll_on_a_pattern_of_job_states_is_not_bound() => Assert.False(Triggers("""
        public async Task<Job> Poll(string location)
        {
            while (true)
            {
                var job = await ReadJobAsync(await http.GetAsync(location));
                if (job.State is not "done") { await Task.Delay(500); continue; }
                return job;
            }
        }
        """));

    [Fact]
    public void Batch_whose_pause_every_item_takes_is_not_bound() => Assert.False(Triggers("""
        public async Task SendAll(string[] prompts)
        {
            foreach (var prompt in prompts)
            {
                var response = await http.PostAsync("/v1/completions", new StringContent(prompt));
                if (!response.IsSuccessStatusCode) Console.WriteLine("failed: " + prompt);
                await Task.Delay(100);
            }
        }
        """));

    [Fact]
    public void Worker_that_idles_between_rounds_is_not_bound() => Assert.False(Triggers("""
        public async Task Work(CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await ProcessAsync();
                var state = cancellationToken.IsCancellationRequested ? "stopping" : "idle";
                Console.WriteLine(state);
                await Task.Delay(1000, cancellationToken);
            }
        }
        """));

    // ------------------------------------------------------------------ bound

    [Fact]
    public void Wait_on_anything_but_202_is_bound() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Send(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode != HttpStatusCode.Accepted)
                {
                    await Task.Delay(2000);
                    continue;
                }
                return response;
            }
        }
        """));

    [Fact]
    public void Wait_on_a_pattern_that_is_not_202_is_bound() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Send(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode is not HttpStatusCode.Accepted) { await Task.Delay(2000); continue; }
                return response;
            }
        }
        """));

    [Fact]
    public void Wait_after_leaving_on_a_pattern_that_is_not_all_success_is_bound() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Send(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest) return response;
                await Task.Delay(2000);
            }
        }
        """));

    [Fact]
    public void Wait_in_the_else_of_a_202_check_is_bound() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Send(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode == HttpStatusCode.Accepted) return response;
                else await Task.Delay(2000);
            }
        }
        """));

    [Fact]
    public void Wait_after_leaving_on_200_only_is_bound() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Send(string location)
        {
            for (int attempt = 0; attempt < 3; attempt++)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode == HttpStatusCode.OK) return response;
                await Task.Delay(2000);
            }
            throw new HttpRequestException("gave up");
        }
        """));

    [Fact]
    public void End_of_the_body_after_leaving_on_success_is_bound() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Send(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.IsSuccessStatusCode) { return response; }
                Console.WriteLine("again");
            }
        }
        """));

    [Theory]
    [InlineData("checked")]
    [InlineData("unchecked")]
    public void End_of_a_checked_or_unchecked_body_after_leaving_on_success_is_bound(string context) => Assert.True(Triggers($$"""
        public async Task<HttpResponseMessage> Send(string location)
        {
            while (true) {{context}}
            {
                var response = await http.GetAsync(location);
                if (response.IsSuccessStatusCode) return response;
            }
        }
        """));

    [Fact]
    public void A_combined_condition_is_bound() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Send(string location, int max)
        {
            for (int attempt = 0; ; attempt++)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode == HttpStatusCode.Accepted && attempt < max) { await Task.Delay(2000); continue; }
                return response;
            }
        }
        """));

    [Fact]
    public void A_switch_section_is_bound() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Send(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Accepted:
                        await Task.Delay(2000);
                        continue;
                }
                return response;
            }
        }
        """));

    [Fact]
    public void A_catch_anywhere_in_the_body_is_bound() => Assert.True(Triggers("""
        public async Task SendAll(string[] prompts)
        {
            foreach (var prompt in prompts)
            {
                try { await http.PostAsync("/v1/completions", new StringContent(prompt)); }
                catch (HttpRequestException) { Console.WriteLine("failed"); }
                await Task.Delay(100);
            }
        }
        """));

    [Fact]
    public void A_202_check_is_bound_where_a_type_of_the_compilation_is_called_HttpStatusCode() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Poll(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if ((int)response.StatusCode == (int)HttpStatusCode.Accepted) { await Task.Delay(2000); continue; }
                return response;
            }
        }
        }

        public static class HttpStatusCode
        {
            public const int Accepted = 503;
        """, usingSystemNet: false));

    [Fact]
    public void A_202_check_is_bound_where_an_alias_is_called_HttpStatusCode() => Assert.True(Triggers("""
        public async Task<HttpResponseMessage> Poll(string location)
        {
            while (true)
            {
                var response = await http.GetAsync(location);
                if (response.StatusCode == HttpStatusCode.Accepted) { await Task.Delay(2000); continue; }
                return response;
            }
        }
        """, usingSystemNet: false, alias: "using HttpStatusCode = System.Net.HttpStatusCode;\n"));

    [Fact]
    public void Status_names_are_the_framework_s_unless_the_compilation_declares_or_aliases_one()
    {
        Assert.True(SyntaxTriggers.StatusNamesAreFramework(Compile("class A { }"), CancellationToken.None));
        Assert.False(SyntaxTriggers.StatusNamesAreFramework(Compile("enum HttpStatusCode { Accepted = 500 }"), CancellationToken.None));
        Assert.False(SyntaxTriggers.StatusNamesAreFramework(Compile("class A { int HttpStatusCode => 1; }"), CancellationToken.None));
        Assert.False(SyntaxTriggers.StatusNamesAreFramework(Compile("namespace N { using HttpStatusCode = System.Int32; }"), CancellationToken.None));
        Assert.True(SyntaxTriggers.StatusNamesAreFramework(Compile("using Code = System.Net.HttpStatusCode; class A { }"), CancellationToken.None));
    }

    private static bool Triggers(string members, bool usingSystemNet = true, string alias = "")
    {
        string prefix = usingSystemNet ? Prefix : Prefix.Replace("using System.Net;\n", string.Empty);
        var compilation = Compile(alias + prefix + members + Suffix);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join(Environment.NewLine, errors));
        var loop = compilation.SyntaxTrees[0].GetRoot().DescendantNodes().OfType<StatementSyntax>()
            .Single(s => s is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax);
        return SyntaxTriggers.IsRetryTrigger(loop, () => SyntaxTriggers.StatusNamesAreFramework(compilation, CancellationToken.None));
    }

    private static CSharpCompilation Compile(string source) => CSharpCompilation.Create(
        "Triggers",
        [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
        TestReferences.Net100,
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
}
