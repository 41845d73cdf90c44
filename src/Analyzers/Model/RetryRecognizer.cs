using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// Builds the <see cref="RetryConstruct"/> model of hand-written retries: loops, <c>goto</c> and recursion.
/// <para>
/// A <b>retry point</b> is a place from which another attempt follows: a wait, a <c>continue</c>, the end of a
/// catch block or of the loop body, a <c>goto</c> back, a recursive call. A retry point counts only when it is
/// reached after a failure signal (a caught exception, a failed status or result) and never on the success
/// path, and the construct attempts a call that may leave the process. A wait that the success path also
/// reaches — a polling interval, the pause between the items of a batch, a worker's idle time — is not a retry.
/// </para>
/// </summary>
internal sealed partial class RetryRecognizer
{
    private readonly KnownSymbols _symbols;
    private readonly StatusConditions _statuses;
    private readonly DelayTracer _tracer;
    private readonly Func<SyntaxTree, SemanticModel?> _semanticModels;
    private readonly Dictionary<IOperation, List<IConditionalOperation>> _comparisonsByRoot = new();
    private readonly Dictionary<IOperation, bool> _reachable = new();
    private readonly Dictionary<IOperation, bool> _remote = new();

    public RetryRecognizer(KnownSymbols symbols, Func<SyntaxTree, SemanticModel?> semanticModels, AnalyzerSettings? settings = null)
    {
        _symbols = symbols;
        _semanticModels = semanticModels;
        _statuses = new StatusConditions(symbols, semanticModels);
        _tracer = new DelayTracer(symbols, semanticModels, settings?.JitterMethods);
    }

    // ------------------------------------------------------------------------------------------------------------
    // Loops
    // ------------------------------------------------------------------------------------------------------------

    public RetryConstruct? RecognizeLoop(ILoopOperation loop)
    {
        // A loop that calls nothing that may leave the process retries nothing remote: most loops end here.
        if (loop.Body is null || !HasRemoteCall(loop.Body))
        {
            return null;
        }

        var scope = new Scope(loop, loop.Body);
        var points = new List<Point>();
        foreach (var operation in OwnedOperations(loop.Body))
        {
            switch (operation)
            {
                case IInvocationOperation invocation when IsWait(invocation):
                    AddPoint(points, invocation, Classify(invocation, scope, atEnd: false), wait: invocation);
                    break;
                case IBranchOperation { BranchKind: BranchKind.Continue } branch when ReferenceEquals(branch.Target, loop.ContinueLabel):
                    AddPoint(points, branch, Classify(branch, scope, atEnd: false), wait: null);
                    break;
                case ICatchClauseOperation { Handler: { } handler } when EndReachable(handler):
                    AddPoint(points, handler, Classify(handler, scope, atEnd: true), wait: null);
                    break;
            }
        }

        if (loop.Body is IBlockOperation body && EndReachable(body))
        {
            AddPoint(points, body, Classify(body, scope, atEnd: true), wait: null);
        }

        if (points.Count == 0)
        {
            return null;
        }

        return Build(RetryKind.Loop, loop, points, LoopBound(loop));
    }

    /// <summary>The operations of a loop body that belong to it: not those of nested loops, lambdas or local functions.</summary>
    private static IEnumerable<IOperation> OwnedOperations(IOperation body)
    {
        var stack = new Stack<IOperation>();
        stack.Push(body);
        while (stack.Count > 0)
        {
            var current = stack.Pop();
            yield return current;
            foreach (var child in current.ChildOperations)
            {
                if (child is ILoopOperation or IAnonymousFunctionOperation or ILocalFunctionOperation)
                {
                    continue;
                }

                stack.Push(child);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Recursion: a method that calls itself again after a failure.
    // ------------------------------------------------------------------------------------------------------------

    public RetryConstruct? RecognizeRecursion(IInvocationOperation call, IMethodSymbol containing, IOperation body)
    {
        if (!SymbolEqualityComparer.Default.Equals(call.TargetMethod.OriginalDefinition, containing.OriginalDefinition))
        {
            return null;
        }

        var scope = new Scope(null, body);
        var classification = Classify(call, scope, atEnd: false);
        if (classification is null)
        {
            return null;
        }

        var points = new List<Point>();
        AddPoint(points, call, classification, wait: null);
        foreach (var wait in WaitsBefore(call, body))
        {
            AddPoint(points, wait, classification, wait);
        }

        return Build(RetryKind.Recursion, call, points, RecursionBound(call, containing, body));
    }

    // ------------------------------------------------------------------------------------------------------------
    // goto: a jump back to a label before the attempt.
    // ------------------------------------------------------------------------------------------------------------

    public RetryConstruct? RecognizeGoto(IBranchOperation jump, IOperation body)
    {
        if (jump.BranchKind != BranchKind.GoTo)
        {
            return null;
        }

        ILabeledOperation? label = null;
        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
        {
            if (operation is ILabeledOperation labeled && SymbolEqualityComparer.Default.Equals(labeled.Label, jump.Target))
            {
                label = labeled;
                break;
            }
        }

        // Only a jump backwards repeats anything.
        if (label is null || label.Syntax.SpanStart >= jump.Syntax.SpanStart)
        {
            return null;
        }

        var scope = new Scope(null, body);
        var classification = Classify(jump, scope, atEnd: false);
        if (classification is null)
        {
            return null;
        }

        var points = new List<Point>();
        AddPoint(points, jump, classification, wait: null);
        foreach (var wait in WaitsBefore(jump, body))
        {
            if (wait.Syntax.SpanStart > label.Syntax.SpanStart)
            {
                AddPoint(points, wait, classification, wait);
            }
        }

        var region = Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(label.Syntax.SpanStart, jump.Syntax.Span.End);
        return Build(RetryKind.Goto, jump, points, RegionBound(body, region, jump.Syntax.GetLocation(), "a goto back to '" + jump.Target.Name + "'"));
    }

    // ------------------------------------------------------------------------------------------------------------
    // Catch-and-retry: a catch block that makes the failed call once more.
    // ------------------------------------------------------------------------------------------------------------

    public RetryConstruct? RecognizeCatchRetry(ITryOperation attempt)
    {
        // Inside a loop the loop is the construct; the loop analysis sees this catch.
        for (var current = attempt.Parent; current is not null; current = current.Parent)
        {
            if (current is ILoopOperation)
            {
                return null;
            }

            if (current is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                break;
            }
        }

        // The same call, on the same receiver with the same arguments: a fallback to another URL or model is no retry.
        var attempted = new Dictionary<IMethodSymbol, List<IInvocationOperation>>(SymbolEqualityComparer.Default);
        foreach (var operation in OperationWalk.Descendants(attempt.Body, intoFunctions: false))
        {
            if (operation is IInvocationOperation invocation && !IsWait(invocation) && !IsLocalApi(invocation.TargetMethod))
            {
                var method = invocation.TargetMethod.OriginalDefinition;
                if (!attempted.TryGetValue(method, out var calls))
                {
                    attempted[method] = calls = new List<IInvocationOperation>();
                }

                calls.Add(invocation);
            }
        }

        if (attempted.Count == 0)
        {
            return null;
        }

        var points = new List<Point>();
        foreach (var clause in attempt.Catches)
        {
            if (clause.Handler is null)
            {
                continue;
            }

            foreach (var operation in OperationWalk.Descendants(clause.Handler, intoFunctions: false))
            {
                if (operation is not IInvocationOperation again ||
                    !attempted.TryGetValue(again.TargetMethod.OriginalDefinition, out var first) || !first.Exists(call => SameCall(call, again)))
                {
                    continue;
                }

                if (Classify(again, new Scope(null, attempt), atEnd: false) is { } classification)
                {
                    AddPoint(points, again, classification, wait: null);
                    foreach (var wait in WaitsBefore(again, clause.Handler))
                    {
                        AddPoint(points, wait, classification, wait);
                    }
                }

                break;
            }
        }

        return points.Count == 0 ? null : Build(RetryKind.CatchRetry, attempt, points, new RetryBound(BoundKind.OneShot, null));
    }

    /// <summary>The same text but for whitespace and comments: the same receiver, the same arguments.</summary>
    private static bool SameCall(IInvocationOperation first, IInvocationOperation again) =>
        first.Syntax.IsEquivalentTo(again.Syntax, topLevel: false);

    /// <summary>The waits on the way to a retry point: in the statements that precede it in each enclosing block.</summary>
    private IEnumerable<IInvocationOperation> WaitsBefore(IOperation point, IOperation boundary)
    {
        IOperation current = point;
        while (current.Parent is { } parent && !ReferenceEquals(current, boundary))
        {
            if (parent is IBlockOperation block)
            {
                foreach (var statement in PrecedingStatements(block, current))
                {
                    foreach (var operation in OperationWalk.Descendants(statement, intoFunctions: false))
                    {
                        if (operation is IInvocationOperation invocation && IsWait(invocation))
                        {
                            yield return invocation;
                        }
                    }
                }
            }

            if (parent is ICatchClauseOperation or IConditionalOperation)
            {
                // The failure region ends here: waits further out run on every path.
                yield break;
            }

            current = parent;
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Waits and delays
    // ------------------------------------------------------------------------------------------------------------

    public bool IsWait(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;
        return (method.Name == "Delay" && KnownSymbols.Is(type, _symbols.Task)) ||
               (method.Name == "Sleep" && KnownSymbols.Is(type, _symbols.Thread));
    }

    public static IOperation? DelayArgument(IInvocationOperation wait)
    {
        foreach (var argument in wait.Arguments)
        {
            if (argument.Parameter?.Ordinal == 0)
            {
                return argument.Value;
            }
        }

        return null;
    }

    private sealed class Point
    {
        public Point(IOperation operation, Classification classification, IInvocationOperation? wait)
        {
            Operation = operation;
            Classification = classification;
            Wait = wait;
        }

        public IOperation Operation { get; }

        public Classification Classification { get; }

        public IInvocationOperation? Wait { get; }
    }

    private static void AddPoint(List<Point> points, IOperation operation, Classification? classification, IInvocationOperation? wait)
    {
        if (classification is not null)
        {
            points.Add(new Point(operation, classification, wait));
        }
    }

    private RetryConstruct Build(RetryKind kind, IOperation root, List<Point> points, RetryBound bound)
    {
        var delays = ImmutableArray.CreateBuilder<RetryDelay>();
        var admissions = ImmutableArray.CreateBuilder<StatusAdmission>();
        var admitted = new HashSet<Location>();
        StatusSet? retryStatuses = StatusSet.Empty;

        foreach (var point in points)
        {
            var classification = point.Classification;
            retryStatuses = retryStatuses is { } known && classification.Statuses is { } statuses ? known.Union(statuses) : null;

            if (classification.Statuses is { } admittedStatuses && classification.AdmittedAt is { } location && admitted.Add(location))
            {
                admissions.Add(new StatusAdmission(location, admittedStatuses, classification.ChangesRequestFirst, classification.AdmittedBy));
            }

            if (point.Wait is { } wait)
            {
                var argument = DelayArgument(wait);
                var sources = argument is null ? DelaySource.Unknown : _tracer.Trace(argument, milliseconds: IsInt(argument));
                var cap = _tracer.Cap;
                if (argument is not null && GuardedCap(argument) is { } guard)
                {
                    sources |= DelaySource.Capped;
                    cap = guard.Cap is { } guardCap && (cap is null || guardCap < cap) ? guardCap : cap;
                }

                delays.Add(new RetryDelay(wait.Syntax.GetLocation(), Display.Shorten(wait.Syntax.ToString()), sources, wait, classification.Statuses, classification.Signal)
                {
                    Cap = cap,
                });
            }
        }

        return new RetryConstruct(kind, root, delays.ToImmutable(), admissions.ToImmutable(), retryStatuses, bound);
    }

    private static bool IsInt(IOperation operation) => operation.Type?.SpecialType == SpecialType.System_Int32;
}
