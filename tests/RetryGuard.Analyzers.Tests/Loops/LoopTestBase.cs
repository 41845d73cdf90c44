using RetryGuard.Analyzers.Tests.Verifiers;

namespace RetryGuard.Analyzers.Tests.Loops;

/// <summary>Shared usings and helpers for the hand-written retry tests.</summary>
public abstract class LoopTestBase
{
    protected const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Net;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        """;

    protected abstract string Rule { get; }

    protected Task Check(string code, string? editorConfig = null) =>
        Verify<RetryAnalyzer>.AnalyzerAsync(Usings + code, only: Rule, editorConfig: editorConfig);
}
