using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;
using RetryGuard.Analyzers.Model;

namespace RetryGuard.CodeFixes;

/// <summary>
/// A hand-written retry loop that <c>RetryGuardPolicy.ExecuteAsync</c> can replace with the same inputs, result,
/// cancellation token and exceptions for the caller. The shape, read from the loop's <see cref="RetryConstruct"/> and
/// its syntax:
/// <list type="bullet">
/// <item>a counted loop <c>for (int i = S; i &lt; N; i++)</c> (constant bounds, at least one attempt), or an endless
/// <c>while (true)</c> / <c>for (;;)</c> / <c>do ... while (true)</c> (the policy's default cap then bounds it, RG0005);</item>
/// <item><b>a catching loop</b>: a body that is one <c>try</c> (no <c>finally</c>) whose block is the attempt, with catches
/// of <see cref="System.Net.Http.HttpRequestException"/> only whose blocks only wait (locals computing the delay and the
/// wait itself) and, on a counted loop, whose every filter is "not the last attempt" (none on an endless one), so the
/// last attempt's exception reaches the caller;</item>
/// <item><b>a status-checking loop</b>: a body with one status check <c>if (C)</c> without <c>else</c> that either
/// retries (<c>{ waits; continue; }</c>) or exits (<c>{ ...; return ...; }</c>, the waits after it), whose other path
/// begins with <c>response.EnsureSuccessStatusCode()</c> on the checked response. The attempt is the body without the
/// check and its retry path. A failure then reaches the policy as that exception, which it judges by its status and,
/// with <c>RethrowAttemptExceptions</c>, hands back as it is: at once for a status it does not retry (402 and caller
/// errors included), after the last attempt for one it does. So: on a counted loop the check's counter comparisons send
/// exactly the last attempt down the other path and its other parts test the status only; the loop retries 429, 500,
/// 502, 503 and 504 at least (the policy retries them; 408 too) and no success; its retry path only waits (and may
/// dispose the response) and never for Retry-After (the policy sees the exception, not the headers). A loop that
/// returns the last failed response or throws its own exception after the last attempt is refused: the policy would
/// return a failed response where the loop threw, or throw <c>InsufficientCreditsException</c> /
/// <c>DailyTokenCapExceededException</c> for a returned 402 or daily cap;</item>
/// <item>an attempt that returns its result from inside, never falls through, never breaks or continues, reads neither
/// the attempt counter nor anything it writes outside itself, and captures nothing a lambda cannot; an
/// <c>HttpResponseMessage</c> it returns must be a success (right after <c>EnsureSuccessStatusCode()</c>, or under
/// <c>if (response.IsSuccessStatusCode)</c>), since the policy judges any other response by its status;</item>
/// <item>after a counted loop, nothing, or one <c>throw</c>/<c>return</c> that the loop never reaches;</item>
/// <item>an <c>async</c> function returning <c>Task&lt;T&gt;</c> or <c>ValueTask&lt;T&gt;</c>, one cancellation token
/// (a parameter or local) at most, and no SDK client call (their exceptions the policy would retry).</item>
/// </list>
/// Accepted differences: the policy's delays; statuses retried beyond the policy's set end at once; an attempt timeout
/// is retried like a connection failure, and a status-checking loop's 408 and connection failures are retried too; a
/// 429 is backed off without Retry-After, as the loop did (the attempt's exception carries no headers).
/// </summary>
internal sealed class PolicyLoopShape
{
    private const int MostAttemptsChecked = 1000;

    private PolicyLoopShape(StatementSyntax loop, BlockSyntax attempt, ImmutableArray<StatementSyntax> statements, StatementSyntax? deadEnd,
        ExpressionSyntax? retries, ISymbol? token, ITypeSymbol result, bool resultIsInferred)
    {
        Loop = loop;
        Attempt = attempt;
        Statements = statements;
        DeadEnd = deadEnd;
        Retries = retries;
        Token = token;
        Result = result;
        ResultIsInferred = resultIsInferred;
    }

    public StatementSyntax Loop { get; }

    /// <summary>
    /// The block that holds one attempt: the <c>try</c>'s block of a catching loop, the loop's body of a status-checking
    /// one.
    /// </summary>
    public BlockSyntax Attempt { get; }

    /// <summary>
    /// The statements of the attempt, in order: the <c>try</c>'s block as it is; for a status check, the loop's body
    /// without the check and its retry path (an exit branch's statements in place of the check).
    /// </summary>
    public ImmutableArray<StatementSyntax> Statements { get; }

    /// <summary>The attempt is the whole of <see cref="Attempt"/> (a catching loop's <c>try</c> block).</summary>
    public bool IsWholeBlock => Statements.Length == Attempt.Statements.Count && Statements.SequenceEqual(Attempt.Statements);

    /// <summary>The unreachable <c>throw</c> or <c>return</c> after a counted loop, removed with it.</summary>
    public StatementSyntax? DeadEnd { get; }

    /// <summary><c>MaxRetries</c>: the loop's attempts less one; null for an endless loop (the policy's default cap).</summary>
    public ExpressionSyntax? Retries { get; }

    /// <summary>The cancellation token the attempt and the waits use, if any.</summary>
    public ISymbol? Token { get; }

    /// <summary>The function's result type: <c>T</c> of its <c>Task&lt;T&gt;</c>.</summary>
    public ITypeSymbol Result { get; }

    /// <summary>Every <c>return</c> of the attempt has exactly <see cref="Result"/>'s type: no type argument needed.</summary>
    public bool ResultIsInferred { get; }

    /// <summary>The retry loop that <paramref name="diagnostic"/> was reported on, with its model; null when it is none.</summary>
    public static (StatementSyntax Loop, RetryConstruct Construct)? ConstructFor(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (KnownSymbols.TryCreate(model.Compilation) is not { } symbols || !root.FullSpan.Contains(diagnostic.Location.SourceSpan))
        {
            return null;
        }

        StatementSyntax? loop = null;
        for (var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true); node is not null; node = node.Parent)
        {
            if (node is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachStatementSyntax)
            {
                loop = (StatementSyntax)node;
                break;
            }

            if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
            {
                return null;
            }
        }

        if (loop is null || model.GetOperation(loop, cancellationToken) is not ILoopOperation operation)
        {
            return null;
        }

        var compilation = model.Compilation;
        var recognizer = new RetryRecognizer(symbols, tree => tree == model.SyntaxTree ? model : compilation.GetSemanticModel(tree));
        var construct = recognizer.RecognizeLoop(operation);
        if (construct is null || construct.Kind != RetryKind.Loop || !Reports(construct, diagnostic.Location))
        {
            return null;
        }

        return (loop, construct);
    }

    /// <summary>The diagnostic is one of the construct's: at a wait, an admission or the missing bound.</summary>
    private static bool Reports(RetryConstruct construct, Location location) =>
        construct.Delays.Any(delay => delay.Location.SourceSpan == location.SourceSpan) ||
        construct.Admissions.Any(admission => admission.Location.SourceSpan == location.SourceSpan) ||
        construct.Bound.Location?.SourceSpan == location.SourceSpan;

    public static PolicyLoopShape? Match(StatementSyntax loop, RetryConstruct construct, SemanticModel model, CancellationToken cancellationToken)
    {
        if (KnownSymbols.TryCreate(model.Compilation) is not { } symbols ||
            ((CSharpParseOptions)loop.SyntaxTree.Options).LanguageVersion < LanguageVersion.CSharp8 ||
            loop.Parent is not BlockSyntax block)
        {
            return null;
        }

        // The function: async, Task<T> or ValueTask<T>.
        if (model.GetEnclosingSymbol(loop.SpanStart, cancellationToken) is not IMethodSymbol { IsAsync: true } function ||
            function.ReturnType is not INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } returned ||
            returned.ContainingNamespace?.ToDisplayString() != "System.Threading.Tasks" ||
            returned.Name is not ("Task" or "ValueTask") ||
            returned.TypeArguments[0] is not { } result || result is IErrorTypeSymbol ||
            function.ContainingType is { IsValueType: true })
        {
            return null;
        }

        // The header: counted or endless.
        Counter? counter = null;
        StatementSyntax body;
        switch (loop)
        {
            case WhileStatementSyntax whileLoop when IsTrue(whileLoop.Condition, model):
                body = whileLoop.Statement;
                break;
            case DoStatementSyntax doLoop when IsTrue(doLoop.Condition, model):
                body = doLoop.Statement;
                break;
            case ForStatementSyntax { Declaration: null, Initializers.Count: 0, Condition: null, Incrementors.Count: 0 } forever:
                body = forever.Statement;
                break;
            case ForStatementSyntax counted when Counter.Match(counted, model, cancellationToken) is { } found:
                counter = found;
                body = counted.Statement;
                break;
            default:
                return null;
        }

        var recognizer = new RetryRecognizer(symbols, tree => tree == model.SyntaxTree ? model : null);
        var parts = body switch
        {
            TryStatementSyntax single => CatchingAttempt(single, construct, counter, model, recognizer, cancellationToken),
            BlockSyntax { Statements.Count: 1 } single when single.Statements[0] is TryStatementSyntax only =>
                CatchingAttempt(only, construct, counter, model, recognizer, cancellationToken),
            BlockSyntax statements => CheckingAttempt(statements, construct, counter, model, symbols, recognizer, cancellationToken),
            _ => null,
        };
        if (parts is null)
        {
            return null;
        }

        if (!IsSelfContainedAttempt(parts, counter?.Variable, model) ||
            ReturnsOf(parts.Statements, model, cancellationToken) is not { } returns ||
            !returns.All(returned => returned.Type is null || model.Compilation.ClassifyConversion(returned.Type, result).IsImplicit) ||
            returns.Any(returned => MayBeResponse(returned.Type, model.Compilation) && !ReturnsASuccess(returned.Statement, model, cancellationToken)) ||
            parts.Statements.Any(statement => CallsSdkClient(statement, model, cancellationToken)))
        {
            return null;
        }

        // After a counted loop: nothing, or one throw/return that the loop never reaches.
        StatementSyntax? deadEnd = null;
        var index = block.Statements.IndexOf(loop);
        var following = block.Statements.Count - index - 1;
        if (counter is not null && following > 0)
        {
            if (following != 1 || block.Statements[index + 1] is not (ThrowStatementSyntax or ReturnStatementSyntax))
            {
                return null;
            }

            deadEnd = block.Statements[index + 1];
        }

        if (TokenOf(parts.Scope, model, cancellationToken) is not { } token)
        {
            return null;
        }

        var inferred = returns.All(returned => SymbolEqualityComparer.IncludeNullability.Equals(returned.Type, result));
        return new PolicyLoopShape(loop, parts.Block, parts.Statements.ToImmutableArray(), deadEnd, counter?.Retries(), token.Symbol, result, inferred);
    }

    /// <summary>One attempt as the lambda gets it, and the statement ranges it is made of.</summary>
    private sealed class AttemptParts
    {
        public AttemptParts(BlockSyntax block, List<StatementSyntax> statements, List<(StatementSyntax First, StatementSyntax Last, bool FlowsOn)> ranges, SyntaxNode scope)
        {
            Block = block;
            Statements = statements;
            Ranges = ranges;
            Scope = scope;
        }

        public BlockSyntax Block { get; }

        public List<StatementSyntax> Statements { get; }

        /// <summary>Consecutive statements of one block each; the last range ends the attempt, the others flow on.</summary>
        public List<(StatementSyntax First, StatementSyntax Last, bool FlowsOn)> Ranges { get; }

        /// <summary>Where the cancellation token is looked for: the attempt with its waits.</summary>
        public SyntaxNode Scope { get; }
    }

    /// <summary>A catching loop: one <c>try</c> whose catches of HttpRequestException only wait.</summary>
    private static AttemptParts? CatchingAttempt(TryStatementSyntax attempt, RetryConstruct construct, Counter? counter, SemanticModel model,
        RetryRecognizer recognizer, CancellationToken cancellationToken)
    {
        if (attempt.Finally is not null || attempt.Catches.Count == 0 || attempt.Block.Statements.Count == 0 ||
            !MatchesModel(construct, counted: counter is not null, attempt.Catches.Select(clause => clause.Span), attempt.Catches.Select(clause => clause.Span)))
        {
            return null;
        }

        // What the loop catches: HttpRequestException, with the "not the last attempt" filter on a counted loop.
        foreach (var clause in attempt.Catches)
        {
            if (clause.Declaration is null ||
                model.GetTypeInfo(clause.Declaration.Type, cancellationToken).Type?.ToDisplayString() != "System.Net.Http.HttpRequestException" ||
                (counter is null ? clause.Filter is not null : !counter.LetsOnlyTheLastAttemptThrough(clause.Filter, model)) ||
                !OnlyWaits(clause.Block.Statements, model, recognizer, cancellationToken))
            {
                return null;
            }
        }

        var statements = attempt.Block.Statements.ToList();
        return new AttemptParts(attempt.Block, statements, new() { (statements[0], statements[statements.Count - 1], false) }, attempt);
    }

    /// <summary>The statuses <c>RetryGuardPolicy</c> retries that a status-checking loop must retry too (408 aside).</summary>
    private static readonly StatusSet PolicyRetries = StatusSet.Of(429, 500, 502, 503, 504);

    /// <summary>
    /// A status-checking loop: its body holds one status check, without <c>else</c>, that either retries
    /// (<c>if (C) { waits; continue; }</c>, the attempt goes on after it) or exits (<c>if (C) { ...; return ...; }</c>, waits
    /// after it); the attempt's other path begins with <c>response.EnsureSuccessStatusCode()</c> on the checked response,
    /// so a status the loop does not retry, and the last attempt's, ends as that exception. On a counted loop, the check's
    /// counter comparisons send exactly the last attempt down that path; its other parts read the status only. The loop
    /// retries at least 429 and 500, 502, 503, 504, no success, and does not wait for Retry-After (the policy cannot read
    /// it from the exception).
    /// </summary>
    private static AttemptParts? CheckingAttempt(BlockSyntax body, RetryConstruct construct, Counter? counter, SemanticModel model,
        KnownSymbols symbols, RetryRecognizer recognizer, CancellationToken cancellationToken)
    {
        if (construct.Admissions.Length != 1 ||
            body.Statements.OfType<IfStatementSyntax>().FirstOrDefault(candidate => candidate.Condition.Span.Contains(construct.Admissions[0].Location.SourceSpan))
                is not { Else: null } check ||
            construct.RetryStatuses is not { } retried ||
            !PolicyRetries.Intersect(retried.Complement()).IsEmpty || retried.Overlaps(StatusSet.Success) ||
            construct.Delays.Any(delay => delay.Sources.Has(DelaySource.RetryAfter)) ||
            check.Condition.DescendantNodesAndSelf().OfType<SingleVariableDesignationSyntax>().Any() ||
            RG0002StatusCheck.ResponseOf(check.Condition, model, cancellationToken) is not { } response)
        {
            return null;
        }

        var index = body.Statements.IndexOf(check);
        var branch = check.Statement is BlockSyntax block ? block.Statements.ToList() : new List<StatementSyntax> { check.Statement };
        List<StatementSyntax> retryPath;
        List<StatementSyntax> otherPath;
        bool retryWhenTrue;
        if (branch.Count > 0 && branch[branch.Count - 1] is ContinueStatementSyntax)
        {
            retryWhenTrue = true;
            retryPath = branch.Take(branch.Count - 1).ToList();
            otherPath = body.Statements.Skip(index + 1).ToList();
        }
        else if (model.AnalyzeControlFlow(check.Statement) is { Succeeded: true, EndPointIsReachable: false })
        {
            retryWhenTrue = false;
            retryPath = body.Statements.Skip(index + 1).ToList();
            otherPath = branch;
        }
        else
        {
            return null;
        }

        var responseSymbol = model.GetSymbolInfo(response, cancellationToken).Symbol;
        if (otherPath.Count == 0 || !IsEnsureSuccess(otherPath[0], responseSymbol, model, cancellationToken) ||
            !OnlyWaits(retryPath, model, recognizer, cancellationToken, disposable: responseSymbol) ||
            !MatchesModel(construct, counted: counter is not null, retryPath.Select(statement => statement.Span).Append(check.Statement.Span), new[] { check.Condition.Span }) ||
            !SplitsAtTheLastAttempt(check.Condition, retryWhenTrue, counter, new StatusConditions(symbols), model, cancellationToken))
        {
            return null;
        }

        var before = body.Statements.Take(index).ToList();
        var ranges = new List<(StatementSyntax, StatementSyntax, bool)>();
        if (before.Count > 0)
        {
            ranges.Add((before[0], before[before.Count - 1], true));
        }

        ranges.Add((otherPath[0], otherPath[otherPath.Count - 1], false));
        return new AttemptParts(body, before.Concat(otherPath).ToList(), ranges, body);
    }

    private static bool IsEnsureSuccess(StatementSyntax statement, ISymbol? response, SemanticModel model, CancellationToken cancellationToken) =>
        statement is ExpressionStatementSyntax
        {
            Expression: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "EnsureSuccessStatusCode" } call }
        } &&
        response is not null && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(call.Expression, cancellationToken).Symbol, response);

    /// <summary>
    /// The check is the status test alone on every attempt but the last, and sends the last attempt down the other path:
    /// its parts (joined by <c>&amp;&amp;</c> for a retry check, <c>||</c> for an exit) are comparisons of the counter, which
    /// together let exactly the last attempt through, and status tests. An endless loop's check is status tests only.
    /// </summary>
    private static bool SplitsAtTheLastAttempt(ExpressionSyntax condition, bool retryWhenTrue, Counter? counter, StatusConditions statuses,
        SemanticModel model, CancellationToken cancellationToken)
    {
        var join = retryWhenTrue ? SyntaxKind.LogicalAndExpression : SyntaxKind.LogicalOrExpression;
        var parts = new List<ExpressionSyntax>();
        void Split(ExpressionSyntax expression)
        {
            while (expression is ParenthesizedExpressionSyntax parenthesized)
            {
                expression = parenthesized.Expression;
            }

            if (expression is BinaryExpressionSyntax binary && binary.IsKind(join))
            {
                Split(binary.Left);
                Split(binary.Right);
            }
            else
            {
                parts.Add(expression);
            }
        }

        Split(condition);
        var guards = counter is null ? new List<ExpressionSyntax>() : parts.Where(counter.IsCounterComparison).ToList();
        var tests = parts.Except(guards).ToList();
        if (tests.Count == 0 || tests.Any(test => statuses.WhenTrue(model.GetOperation(test, cancellationToken)) is null))
        {
            return false;
        }

        if (counter is null)
        {
            return true;
        }

        if (guards.Count == 0)
        {
            return false;
        }

        for (var value = counter.First; value <= counter.Last; value++)
        {
            // A retry check retries while every guard holds; an exit check exits once one does.
            bool last = value == counter.Last;
            bool guarded = retryWhenTrue ? guards.All(guard => counter.ValueAt(guard, value) == true) : guards.Any(guard => counter.ValueAt(guard, value) == true);
            if (guarded != (retryWhenTrue ? !last : last))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The model agrees: the loop's bound is its counter (or it has none), every wait is on the retry path (the catches,
    /// the status check's retry branch) and every admitted status is decided where the loop decides to retry, so the
    /// attempt itself never waits or decides to retry.
    /// </summary>
    private static bool MatchesModel(RetryConstruct construct, bool counted, IEnumerable<TextSpan> retryPath, IEnumerable<TextSpan> decisions)
    {
        if (construct.Bound.Kind != (counted ? BoundKind.AttemptCap : BoundKind.Unbounded))
        {
            return false;
        }

        var waits = retryPath.ToList();
        var decided = decisions.ToList();
        return construct.Delays.All(delay => waits.Any(span => span.Contains(delay.Location.SourceSpan))) &&
               construct.Admissions.All(admission => decided.Any(span => span.Contains(admission.Location.SourceSpan)));
    }

    private static bool IsTrue(ExpressionSyntax condition, SemanticModel model) =>
        model.GetConstantValue(condition) is { HasValue: true, Value: true };

    /// <summary>
    /// The attempt as a lambda body: it ends every path with a <c>return value;</c> or a throw, leaves the loop no
    /// other way, reads no attempt counter, writes nothing declared outside it, and captures no ref or ref-like value.
    /// </summary>
    private static bool IsSelfContainedAttempt(AttemptParts attempt, ILocalSymbol? counter, SemanticModel model)
    {
        bool Inside(TextSpan span) => attempt.Statements.Any(statement => statement.Span.Contains(span));

        if (attempt.Statements.Any(statement => statement.DescendantNodesAndSelf().Any(node => node is GotoStatementSyntax or LabeledStatementSyntax or YieldStatementSyntax)))
        {
            return false;
        }

        foreach (var (first, last, flowsOn) in attempt.Ranges)
        {
            var flow = model.AnalyzeControlFlow(first, last);
            if (flow is null || !flow.Succeeded || flow.EndPointIsReachable != flowsOn ||
                flow.ExitPoints.Any(exit => exit is not ReturnStatementSyntax { Expression: not null }))
            {
                return false;
            }

            var data = model.AnalyzeDataFlow(first, last);
            if (data is null || !data.Succeeded)
            {
                return false;
            }

            foreach (var written in data.WrittenInside)
            {
                if (!written.DeclaringSyntaxReferences.Any(reference => Inside(reference.Span)))
                {
                    return false;
                }
            }

            foreach (var used in data.ReadInside.Concat(data.WrittenInside))
            {
                if (SymbolEqualityComparer.Default.Equals(used, counter))
                {
                    return false;
                }

                switch (used)
                {
                    case IParameterSymbol { RefKind: not RefKind.None }:
                    case ILocalSymbol { IsRef: true }:
                    case IParameterSymbol { Type.IsRefLikeType: true }:
                    case ILocalSymbol { Type.IsRefLikeType: true } when !Inside(used.DeclaringSyntaxReferences.FirstOrDefault()?.Span ?? default):
                        return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// <c>return response;</c> of a response that is known to be a success there: right after
    /// <c>response.EnsureSuccessStatusCode();</c> in the same block, or as the branch of <c>if (response.IsSuccessStatusCode)</c>.
    /// The policy returns a success as it is, so the loop and the policy agree on it.
    /// </summary>
    private static bool ReturnsASuccess(ReturnStatementSyntax statement, SemanticModel model, CancellationToken cancellationToken)
    {
        if (statement.Expression is not IdentifierNameSyntax name ||
            model.GetSymbolInfo(name, cancellationToken).Symbol is not { Kind: SymbolKind.Local or SymbolKind.Parameter } response)
        {
            return false;
        }

        SyntaxNode branch = statement.Parent is BlockSyntax { Statements.Count: 1 } only ? only : statement;
        if (branch.Parent is IfStatementSyntax { Condition: var condition } check && check.Statement == branch)
        {
            while (condition is ParenthesizedExpressionSyntax parenthesized)
            {
                condition = parenthesized.Expression;
            }

            return condition is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "IsSuccessStatusCode" } test &&
                   SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(test.Expression, cancellationToken).Symbol, response);
        }

        if (statement.Parent is BlockSyntax block)
        {
            var index = block.Statements.IndexOf(statement);
            return index > 0 && IsEnsureSuccess(block.Statements[index - 1], response, model, cancellationToken);
        }

        return false;
    }

    /// <summary>
    /// A returned value that may be an <c>HttpResponseMessage</c>: the policy judges such a result by its status (it
    /// would retry a 503 the loop returned), so the loop and the policy part ways.
    /// </summary>
    private static bool MayBeResponse(ITypeSymbol? type, Compilation compilation)
    {
        if (type is null || compilation.GetTypeByMetadataName("System.Net.Http.HttpResponseMessage") is not { } response)
        {
            return false;
        }

        return KnownSymbols.IsOrDerives(type, response) ||
               type.SpecialType == SpecialType.System_Object ||
               type.TypeKind is TypeKind.Interface or TypeKind.TypeParameter or TypeKind.Dynamic;
    }

    /// <summary>
    /// A call of an SDK client (OpenAI, Azure, System.ClientModel): the policy retries their exceptions by status,
    /// where a loop that catches <c>HttpRequestException</c> lets them through; and the client retries on its own (RG0006).
    /// </summary>
    private static bool CallsSdkClient(SyntaxNode attempt, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (var invocation in attempt.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol method &&
                (IsSdk(method.ContainingType) || IsSdk(method.ReceiverType as INamedTypeSymbol)))
            {
                return true;
            }
        }

        return false;

        static bool IsSdk(INamedTypeSymbol? type)
        {
            var ns = type?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            return ns == "OpenAI" || ns.StartsWith("OpenAI.", System.StringComparison.Ordinal) ||
                   ns == "Azure" || ns.StartsWith("Azure.", System.StringComparison.Ordinal) ||
                   ns == "System.ClientModel" || ns.StartsWith("System.ClientModel.", System.StringComparison.Ordinal);
        }
    }

    /// <summary>The attempt's <c>return</c>s with their values' types (null for a typeless <c>null</c>/<c>default</c>); null if none.</summary>
    private static List<(ReturnStatementSyntax Statement, ITypeSymbol? Type)>? ReturnsOf(IEnumerable<StatementSyntax> attempt, SemanticModel model, CancellationToken cancellationToken)
    {
        var returns = new List<(ReturnStatementSyntax, ITypeSymbol?)>();
        foreach (var node in attempt.SelectMany(statement => statement.DescendantNodesAndSelf(node => node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))))
        {
            if (node is ReturnStatementSyntax { Expression: { } value } statement)
            {
                returns.Add((statement, model.GetTypeInfo(value, cancellationToken).Type));
            }
        }

        return returns.Count == 0 ? null : returns;
    }

    /// <summary>
    /// A catch block that only waits: the wait (<c>Task.Delay</c>, <c>Thread.Sleep</c>) and locals that compute its
    /// delay from arithmetic, <c>TimeSpan</c>, <c>Math</c>, <c>Random</c> and RetryGuard's helpers. Anything else — a log
    /// line, a counter, a rethrow — is behaviour the policy would not keep.
    /// </summary>
    private static bool OnlyWaits(IEnumerable<StatementSyntax> statements, SemanticModel model, RetryRecognizer recognizer, CancellationToken cancellationToken,
        ISymbol? disposable = null)
    {
        foreach (var statement in statements)
        {
            switch (statement)
            {
                case EmptyStatementSyntax:
                    continue;
                case ExpressionStatementSyntax
                {
                    Expression: InvocationExpressionSyntax { ArgumentList.Arguments.Count: 0, Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Dispose" } dispose }
                } when disposable is not null && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(dispose.Expression, cancellationToken).Symbol, disposable):
                    // The failed response is let go before the wait; the policy disposes the responses it does not return.
                    continue;
                case ExpressionStatementSyntax expression when IsWait(expression.Expression, model, recognizer, cancellationToken):
                    continue;
                case LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, AwaitKeyword.RawKind: 0 } declaration
                    when declaration.Declaration.Variables.All(variable =>
                        variable.Initializer is { } initializer && IsPure(model.GetOperation(initializer.Value, cancellationToken))):
                    continue;
                default:
                    return false;
            }
        }

        return true;
    }

    private static bool IsWait(ExpressionSyntax expression, SemanticModel model, RetryRecognizer recognizer, CancellationToken cancellationToken)
    {
        if (expression is AwaitExpressionSyntax awaited)
        {
            expression = awaited.Expression;
        }

        // await Task.Delay(...).ConfigureAwait(false)
        if (expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Expression: var inner } })
        {
            expression = inner;
        }

        return model.GetOperation(expression, cancellationToken) is IInvocationOperation invocation && recognizer.IsWait(invocation) &&
               invocation.Arguments.All(argument => IsPure(argument.Value));
    }

    /// <summary>No effect but a value: literals, reads, arithmetic, and calls into the delay helpers only.</summary>
    private static bool IsPure(IOperation? operation)
    {
        if (operation is null)
        {
            return false;
        }

        foreach (var node in operation.DescendantsAndSelf())
        {
            switch (node)
            {
                case IAssignmentOperation or IIncrementOrDecrementOperation or IAwaitOperation or IAnonymousFunctionOperation or IThrowOperation:
                    return false;
                case IInvocationOperation invocation when !IsDelayHelper(invocation.TargetMethod.ContainingType):
                    return false;
                case IObjectCreationOperation creation when !IsDelayHelper(creation.Type as INamedTypeSymbol):
                    return false;
            }
        }

        return true;
    }

    private static bool IsDelayHelper(INamedTypeSymbol? type) =>
        type?.ToDisplayString() is "System.Math" or "System.TimeSpan" or "System.Random" or "System.Convert" or "System.Threading.CancellationToken" ||
        type?.ContainingNamespace?.ToDisplayString() == "RetryGuard" ||
        type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Double;

    private sealed class TokenUse
    {
        public TokenUse(ISymbol? symbol) => Symbol = symbol;

        public ISymbol? Symbol { get; }
    }

    /// <summary>The one cancellation token (parameter or local) the loop uses, or a use with no symbol; null for several.</summary>
    private static TokenUse? TokenOf(SyntaxNode attempt, SemanticModel model, CancellationToken cancellationToken)
    {
        ISymbol? token = null;
        foreach (var identifier in attempt.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (model.GetTypeInfo(identifier, cancellationToken).Type?.ToDisplayString() != "System.Threading.CancellationToken")
            {
                continue;
            }

            var symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
            if (symbol is ILocalSymbol local && attempt.Span.Contains(local.DeclaringSyntaxReferences.FirstOrDefault()?.Span ?? default))
            {
                // A token the attempt makes itself goes into the lambda with it.
                continue;
            }

            if (symbol is not (IParameterSymbol or ILocalSymbol) || identifier.Parent is MemberAccessExpressionSyntax { Name: var name } && name == identifier)
            {
                if (symbol is IPropertySymbol or IFieldSymbol && symbol.ContainingType?.ToDisplayString() == "System.Threading.CancellationToken")
                {
                    // CancellationToken.None
                    continue;
                }

                return null;
            }

            if (token is not null && !SymbolEqualityComparer.Default.Equals(token, symbol))
            {
                return null;
            }

            token = symbol;
        }

        return new TokenUse(token);
    }

    /// <summary>A counted <c>for</c> header: <c>int i = S; i &lt; N</c> or <c>i &lt;= N</c>; <c>i++</c>, with constant bounds.</summary>
    internal sealed class Counter
    {
        private Counter(ILocalSymbol variable, long first, long last, ExpressionSyntax bound, long boundValue, SemanticModel model)
        {
            Variable = variable;
            First = first;
            Last = last;
            Bound = bound;
            BoundValue = boundValue;
            Model = model;
        }

        public ILocalSymbol Variable { get; }

        public long First { get; }

        public long Last { get; }

        private ExpressionSyntax Bound { get; }

        private long BoundValue { get; }

        private SemanticModel Model { get; }

        public static Counter? Match(ForStatementSyntax loop, SemanticModel model, CancellationToken cancellationToken)
        {
            if (loop.Declaration is not { Variables.Count: 1 } declaration ||
                declaration.Variables[0] is not { Initializer: { } start } variable ||
                loop.Initializers.Count != 0 ||
                model.GetDeclaredSymbol(variable, cancellationToken) is not ILocalSymbol { Type.SpecialType: SpecialType.System_Int32 } local ||
                Constant(start.Value, model) is not { } first ||
                loop.Condition is not BinaryExpressionSyntax condition ||
                !IsCounter(condition.Left, local, model) ||
                Constant(condition.Right, model) is not { } bound ||
                loop.Incrementors.Count != 1 || !IsIncrement(loop.Incrementors[0], local, model))
            {
                return null;
            }

            var last = condition.Kind() switch
            {
                SyntaxKind.LessThanExpression => bound - 1,
                SyntaxKind.LessThanOrEqualExpression => bound,
                _ => long.MinValue,
            };
            if (last == long.MinValue || last < first || last - first >= MostAttemptsChecked)
            {
                return null;
            }

            return new Counter(local, first, last, condition.Right, bound, model);
        }

        /// <summary>A comparison of the counter with constants, which has a value for every attempt.</summary>
        public bool IsCounterComparison(ExpressionSyntax expression)
        {
            for (var value = First; value <= Last; value++)
            {
                if (Evaluate(expression, value, Model) is null)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The value of a comparison of the counter for one attempt; null when it is no such comparison.</summary>
        public bool? ValueAt(ExpressionSyntax expression, long value) => Evaluate(expression, value, Model);

        /// <summary>
        /// <paramref name="condition"/> has the value <paramref name="outcome"/> when the counter is <paramref name="value"/>,
        /// whatever its other parts (statuses, flags) are: decided by its comparisons of the counter alone.
        /// </summary>
        public bool Decides(ExpressionSyntax condition, long value, bool outcome)
        {
            switch (condition)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    return Decides(parenthesized.Expression, value, outcome);
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalNotExpression } not:
                    return Decides(not.Operand, value, !outcome);
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalAndExpression } and:
                    return outcome
                        ? Decides(and.Left, value, true) && Decides(and.Right, value, true)
                        : Decides(and.Left, value, false) || Decides(and.Right, value, false);
                case BinaryExpressionSyntax { RawKind: (int)SyntaxKind.LogicalOrExpression } or:
                    return outcome
                        ? Decides(or.Left, value, true) || Decides(or.Right, value, true)
                        : Decides(or.Left, value, false) && Decides(or.Right, value, false);
                default:
                    return Evaluate(condition, value, Model) == outcome;
            }
        }

        /// <summary>The filter holds for every attempt but the last: only the last attempt's exception leaves the loop.</summary>
        public bool LetsOnlyTheLastAttemptThrough(CatchFilterClauseSyntax? filter, SemanticModel model)
        {
            if (filter is null)
            {
                return false;
            }

            for (var value = First; value <= Last; value++)
            {
                if (Evaluate(filter.FilterExpression, value, model) is not { } holds || holds != (value < Last))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// <c>MaxRetries</c>: the attempts less one, written with the loop's own constant where it has a name
        /// (<c>MaxAttempts - 1</c>), else as a number.
        /// </summary>
        public ExpressionSyntax Retries()
        {
            var retries = Last - First;
            var named = Bound is IdentifierNameSyntax or MemberAccessExpressionSyntax &&
                        Model.GetSymbolInfo(Bound).Symbol is IFieldSymbol { IsConst: true } or ILocalSymbol { IsConst: true };
            if (!named)
            {
                return Number(retries);
            }

            var less = BoundValue - retries;
            var bound = Bound.WithoutTrivia();
            return less switch
            {
                0 => bound,
                > 0 => SyntaxFactory.BinaryExpression(SyntaxKind.SubtractExpression, bound, Number(less)),
                _ => SyntaxFactory.BinaryExpression(SyntaxKind.AddExpression, bound, Number(-less)),
            };
        }

        private static LiteralExpressionSyntax Number(long value) =>
            SyntaxFactory.LiteralExpression(SyntaxKind.NumericLiteralExpression, SyntaxFactory.Literal((int)value));

        private static bool IsCounter(ExpressionSyntax expression, ILocalSymbol counter, SemanticModel model) =>
            expression is IdentifierNameSyntax && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(expression).Symbol, counter);

        private static bool IsIncrement(ExpressionSyntax step, ILocalSymbol counter, SemanticModel model) => step switch
        {
            PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression } post => IsCounter(post.Operand, counter, model),
            PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression } pre => IsCounter(pre.Operand, counter, model),
            AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.AddAssignmentExpression } add =>
                IsCounter(add.Left, counter, model) && Constant(add.Right, model) == 1,
            _ => false,
        };

        private static long? Constant(ExpressionSyntax expression, SemanticModel model) =>
            model.GetConstantValue(expression) is { HasValue: true, Value: int value } ? value : null;

        /// <summary>A comparison of integer arithmetic over the counter and constants, evaluated for one counter value.</summary>
        private bool? Evaluate(ExpressionSyntax expression, long value, SemanticModel model)
        {
            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    return Evaluate(parenthesized.Expression, value, model);
                case BinaryExpressionSyntax binary when Integer(binary.Left, value, model) is { } left && Integer(binary.Right, value, model) is { } right:
                    return binary.Kind() switch
                    {
                        SyntaxKind.LessThanExpression => left < right,
                        SyntaxKind.LessThanOrEqualExpression => left <= right,
                        SyntaxKind.GreaterThanExpression => left > right,
                        SyntaxKind.GreaterThanOrEqualExpression => left >= right,
                        SyntaxKind.NotEqualsExpression => left != right,
                        SyntaxKind.EqualsExpression => left == right,
                        _ => null,
                    };
                default:
                    return null;
            }
        }

        private long? Integer(ExpressionSyntax expression, long value, SemanticModel model)
        {
            if (Constant(expression, model) is { } constant)
            {
                return constant;
            }

            switch (expression)
            {
                case ParenthesizedExpressionSyntax parenthesized:
                    return Integer(parenthesized.Expression, value, model);
                case IdentifierNameSyntax when IsCounter(expression, Variable, model):
                    return value;
                case BinaryExpressionSyntax binary when Integer(binary.Left, value, model) is { } left && Integer(binary.Right, value, model) is { } right:
                    return binary.Kind() switch
                    {
                        SyntaxKind.AddExpression => left + right,
                        SyntaxKind.SubtractExpression => left - right,
                        _ => null,
                    };
                default:
                    return null;
            }
        }
    }
}
