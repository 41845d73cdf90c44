using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace RetryGuard.Analyzers.Model;

/// <summary>Classification of retry points: which failure leads there, for which statuses.</summary>
internal sealed partial class RetryRecognizer
{
    /// <summary>Where the walk from a retry point stops: the loop (for loops) or the method body.</summary>
    private readonly struct Scope
    {
        public Scope(ILoopOperation? loop, IOperation boundary)
        {
            Loop = loop;
            Boundary = boundary;
        }

        public ILoopOperation? Loop { get; }

        public IOperation Boundary { get; }

        public bool Reached(IOperation current) =>
            Loop is not null ? ReferenceEquals(current.Parent, Loop) : ReferenceEquals(current, Boundary);
    }

    private sealed class Classification
    {
        public FailureSignal Signal { get; set; }

        public StatusSet? Statuses { get; set; }

        public Location? AdmittedAt { get; set; }

        public IOperation? AdmittedBy { get; set; }

        public bool ChangesRequestFirst { get; set; }
    }

    /// <summary>
    /// Walks from a retry point up to the scope's boundary and collects what must hold for it to be reached:
    /// inside a catch (an exception), inside a branch of a status check, after an early exit on success.
    /// With <paramref name="atEnd"/>, the point is the end of the block <paramref name="start"/>.
    /// </summary>
    private Classification? Classify(IOperation start, Scope scope, bool atEnd)
    {
        StatusSet? statuses = null;
        bool successExcluded = false;
        bool viaCatch = false;
        StatusSet? catchStatuses = StatusSet.Empty;
        ITryOperation? attemptTry = null;
        IOperation? narrowedBy = null;
        IOperation? caughtBy = null;
        IOperation? failureRegion = start as IBlockOperation;

        // After a `continue`, a `goto` or a recursive call nothing that follows the enclosing statements runs.
        bool jumpsBack = start is IBranchOperation || scope.Loop is null;

        void NarrowBy(IOperation? condition, bool whenTrue)
        {
            if (condition is null)
            {
                return;
            }

            if (_statuses.Evaluate(condition, whenTrue, out var decidedBy) is { } set)
            {
                statuses = Intersect(statuses, set);
                narrowedBy ??= decidedBy ?? condition;
                return;
            }

            // On success the check evaluates to onSuccess; this branch needs it to be whenTrue.
            if (SuccessCheck(condition) is { } onSuccess && onSuccess != whenTrue)
            {
                successExcluded = true;
                narrowedBy ??= condition;
            }
        }

        void Preceding(IEnumerable<IOperation> previous)
        {
            foreach (var statement in previous)
            {
                switch (statement)
                {
                    case IConditionalOperation exitIf when exitIf.WhenFalse is null && !EndReachable(exitIf.WhenTrue):
                        // if (response.IsSuccessStatusCode) return response;  → reached only when false.
                        NarrowBy(exitIf.Condition, whenTrue: false);
                        break;
                    case ITryOperation attempt when attempt.Catches.Length > 0 && !IsLocalOnlyCatch(attempt):
                        // Reached from the catches that fall through, and from the attempt's normal end.
                        var fromCatches = StatusSet.Empty as StatusSet?;
                        foreach (var clause in attempt.Catches)
                        {
                            if (clause.Handler is { } handler && EndReachable(handler))
                            {
                                fromCatches = Union(fromCatches, CatchStatuses(attempt, clause));
                                caughtBy ??= clause;
                            }
                        }

                        if (caughtBy is null)
                        {
                            break;
                        }

                        if (!EndReachable(attempt.Body))
                        {
                            viaCatch = true;
                            successExcluded = true;
                            attemptTry ??= attempt;
                            catchStatuses = Union(catchStatuses, fromCatches);
                        }
                        else if (AtEndOf(attempt.Body) is { } end)
                        {
                            viaCatch = true;
                            successExcluded |= end.SuccessExcluded;
                            attemptTry ??= attempt;
                            catchStatuses = Union(catchStatuses, Union(fromCatches, end.Statuses));
                            narrowedBy ??= end.NarrowedBy;
                        }

                        break;
                }
            }
        }

        IOperation current = start;
        if (atEnd && start is IBlockOperation startBlock)
        {
            Preceding(startBlock.Operations);
        }

        while (!scope.Reached(current))
        {
            var parent = current.Parent;
            if (parent is null or IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return null;
            }

            switch (parent)
            {
                case ICatchClauseOperation catchClause when ReferenceEquals(catchClause.Handler, current):
                    if (catchClause.Parent is ITryOperation owner && !IsLocalOnlyCatch(owner) && !viaCatch)
                    {
                        viaCatch = true;
                        successExcluded = true;
                        attemptTry = owner;
                        catchStatuses = CatchStatuses(owner, catchClause);
                        caughtBy = catchClause;
                        failureRegion ??= current;
                    }

                    break;

                case IConditionalOperation conditional when conditional.Condition is not null && !ReferenceEquals(conditional.Condition, current):
                    NarrowBy(conditional.Condition, whenTrue: ReferenceEquals(conditional.WhenTrue, current));
                    failureRegion ??= current;
                    break;

                case IBlockOperation block:
                    if (!jumpsBack)
                    {
                        switch (After(block, current, scope.Loop))
                        {
                            case Next.Exit:
                                return null;
                            case Next.Continue:
                                jumpsBack = true;
                                break;
                        }
                    }

                    failureRegion ??= block;
                    Preceding(PrecedingStatements(block, current));
                    break;

                case ISwitchCaseOperation section when section.Parent is ISwitchOperation @switch && _statuses.IsStatusSubject(@switch.Value):
                    statuses = Intersect(statuses, CaseStatuses(@switch, section));
                    narrowedBy ??= @switch.Value;
                    break;
            }

            current = parent;
        }

        // A status check decides by the statuses that reach the point: a failure among them makes it a retry
        // (202 Accepted alone is polling). Without one, the point must be off the success path.
        bool successReaches = !successExcluded && !(statuses is { } reach && reach.HasFailure);
        if (successReaches)
        {
            return null;
        }

        var classification = new Classification();
        if (viaCatch && attemptTry is not null)
        {
            if (!HasRemoteCall(attemptTry.Body) || (scope.Loop is { } loop && !SuccessLeaves(attemptTry, loop)))
            {
                return null;
            }

            classification.Signal = FailureSignal.CaughtException;
            classification.Statuses = catchStatuses is { } caught ? (statuses is { } narrowed ? caught.Intersect(narrowed) : caught) : null;
            var by = narrowedBy is not null && statuses is not null ? narrowedBy : caughtBy;
            classification.AdmittedBy = by;
            classification.AdmittedAt = by is ICatchClauseOperation clause ? CatchLocation(clause) : by?.Syntax.GetLocation();
        }
        else
        {
            if (!HasRemoteCall(scope.Loop?.Body ?? scope.Boundary))
            {
                return null;
            }

            if (statuses is { } failed)
            {
                if (!failed.HasFailure)
                {
                    return null;
                }

                classification.Signal = FailureSignal.StatusCheck;
                classification.Statuses = failed;
            }
            else
            {
                classification.Signal = FailureSignal.ResultCheck;
                classification.Statuses = null;
            }

            classification.AdmittedBy = narrowedBy;
            classification.AdmittedAt = narrowedBy?.Syntax.GetLocation();
        }

        classification.ChangesRequestFirst = failureRegion is not null && ChangesRequest(failureRegion);
        return classification;
    }

    private readonly struct EndReach
    {
        public EndReach(StatusSet? statuses, bool successExcluded, IOperation? narrowedBy)
        {
            Statuses = statuses;
            SuccessExcluded = successExcluded;
            NarrowedBy = narrowedBy;
        }

        public StatusSet? Statuses { get; }

        public bool SuccessExcluded { get; }

        public IOperation? NarrowedBy { get; }
    }

    /// <summary>What holds when a block's end is reached: the status and success checks that exit early.</summary>
    private EndReach? AtEndOf(IOperation body)
    {
        if (body is not IBlockOperation block)
        {
            return null;
        }

        StatusSet? statuses = null;
        bool successExcluded = false;
        IOperation? narrowedBy = null;
        foreach (var statement in block.Operations)
        {
            if (statement is IConditionalOperation { WhenFalse: null } exitIf && !EndReachable(exitIf.WhenTrue))
            {
                if (_statuses.Evaluate(exitIf.Condition, expected: false, out var decidedBy) is { } set)
                {
                    statuses = Intersect(statuses, set);
                    narrowedBy ??= decidedBy ?? exitIf.Condition;
                }
                else if (SuccessCheck(exitIf.Condition) == true)
                {
                    successExcluded = true;
                    narrowedBy ??= exitIf.Condition;
                }
            }
        }

        if (statuses is { } reach && !reach.Overlaps(StatusSet.Success))
        {
            successExcluded = true;
        }

        return successExcluded ? new EndReach(statuses, successExcluded, narrowedBy) : null;
    }

    /// <summary>
    /// The statuses a catch lets through to another attempt. <c>EnsureSuccessStatusCode()</c> and the throwing
    /// <c>HttpClient</c> helpers raise <c>HttpRequestException</c> for every non-success status; a <c>when</c>
    /// filter on the status narrows that. Other exceptions carry no status; custom ones are unknown.
    /// </summary>
    private StatusSet? CatchStatuses(ITryOperation attempt, ICatchClauseOperation clause)
    {
        StatusSet? statuses;
        var type = clause.ExceptionType;
        string name = type is null || type.SpecialType == SpecialType.System_Object ? "System.Exception" : type.ToDisplayString();
        bool carriesHttpStatus = name is "System.Net.Http.HttpRequestException" or "System.Exception";
        if (carriesHttpStatus)
        {
            statuses = ThrowsOnStatus(attempt.Body) ? StatusSet.Success.Complement() : (CallsUnknownCode(attempt.Body) ? null : StatusSet.Empty);
        }
        else if (IsFrameworkException(type) && type!.SpecialType != SpecialType.System_Object)
        {
            statuses = StatusSet.Empty;
        }
        else
        {
            statuses = null;
        }

        if (clause.Filter is { } filter && _statuses.WhenTrue(filter) is { } filtered)
        {
            statuses = (statuses ?? StatusSet.All).Intersect(filtered);
        }

        return statuses;
    }

    /// <summary>
    /// An exception of the framework that carries no HTTP status (timeouts, sockets, I/O). SDK exceptions that live
    /// under System.* but carry one (System.ClientModel.ClientResultException) are not among them.
    /// </summary>
    private static bool IsFrameworkException(ITypeSymbol? type)
    {
        string ns = type?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        if (ns.StartsWith("System.ClientModel", StringComparison.Ordinal))
        {
            return false;
        }

        return ns == "System" || ns.StartsWith("System.", StringComparison.Ordinal);
    }

    private static bool ThrowsOnStatus(IOperation body)
    {
        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: true))
        {
            if (operation is IInvocationOperation invocation)
            {
                var method = invocation.TargetMethod;
                string type = method.ContainingType?.ToDisplayString() ?? string.Empty;
                if ((method.Name == "EnsureSuccessStatusCode" && type == "System.Net.Http.HttpResponseMessage") ||
                    (type == "System.Net.Http.HttpClient" && method.Name is "GetStringAsync" or "GetByteArrayAsync" or "GetStreamAsync") ||
                    (type == "System.Net.Http.Json.HttpClientJsonExtensions" && method.Name.StartsWith("Get", StringComparison.Ordinal)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Calls into code that may throw an HttpRequestException of its own: user code, other libraries.</summary>
    private static bool CallsUnknownCode(IOperation body)
    {
        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: true))
        {
            if (operation is IInvocationOperation invocation && !IsLocalApi(invocation.TargetMethod))
            {
                string ns = invocation.TargetMethod.ContainingNamespace?.ToDisplayString() ?? string.Empty;
                if (!ns.StartsWith("System.Net.Http", StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static Location CatchLocation(ICatchClauseOperation clause)
    {
        if (clause.Syntax is CatchClauseSyntax syntax)
        {
            SyntaxNode? last = (SyntaxNode?)syntax.Filter ?? syntax.Declaration;
            int end = last?.Span.End ?? syntax.CatchKeyword.Span.End;
            return Location.Create(syntax.SyntaxTree, TextSpan.FromBounds(syntax.CatchKeyword.SpanStart, end));
        }

        return clause.Syntax.GetLocation();
    }

    /// <summary>The failure path changes the request before the next attempt: it refreshes credentials.</summary>
    private static bool ChangesRequest(IOperation region)
    {
        foreach (var operation in OperationWalk.Descendants(region, intoFunctions: false))
        {
            switch (operation)
            {
                case IInvocationOperation invocation when IsCredentialRefresh(invocation.TargetMethod.Name):
                    return true;
                case IAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Authorization" } }:
                    return true;
                case IAssignmentOperation { Target: IFieldReferenceOperation field } when field.Field.Name.IndexOf("token", StringComparison.OrdinalIgnoreCase) >= 0:
                    return true;
            }
        }

        return false;
    }

    private static bool IsCredentialRefresh(string name)
    {
        foreach (var word in new[] { "Refresh", "Reauth", "Authenticate", "Login", "LogIn", "SignIn", "Renew", "AcquireToken", "GetToken", "GetAccessToken" })
        {
            if (name.IndexOf(word, StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A local delay compared with a bound before the wait, which then stops or shortens it:
    /// <c>if (wait > max) throw ...;</c>, <c>if (wait > max) wait = max;</c>.
    /// </summary>
    private CapGuard? GuardedCap(IOperation argument)
    {
        while (argument is IConversionOperation conversion)
        {
            argument = conversion.Operand;
        }

        if (argument is not ILocalReferenceOperation reference)
        {
            return null;
        }

        // Several guards (the code's own `if (wait > 1 h) throw` and a later `if (wait > MaxRetryAfter) throw`): the
        // tightest one is the cap.
        CapGuard? tightest = null;
        foreach (var guard in ComparisonsIn(reference))
        {
            var comparison = (IBinaryOperation)guard.Condition!;
            if (guard.Syntax.SpanStart > reference.Syntax.SpanStart)
            {
                continue;
            }

            // Only `wait > bound` (or `bound < wait`) holds a wait down; `if (wait < TimeSpan.Zero) wait = TimeSpan.Zero` is a floor.
            bool greater = comparison.OperatorKind is BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual;
            IOperation? bound = References(comparison.LeftOperand, reference.Local) && greater ? comparison.RightOperand
                : References(comparison.RightOperand, reference.Local) && !greater ? comparison.LeftOperand : null;
            if (bound is null)
            {
                continue;
            }

            bool stops = !EndReachable(guard.WhenTrue);
            bool shortens = false;
            foreach (var inner in OperationWalk.Descendants(guard.WhenTrue, intoFunctions: false))
            {
                if (inner is IAssignmentOperation { Target: ILocalReferenceOperation target } &&
                    SymbolEqualityComparer.Default.Equals(target.Local, reference.Local))
                {
                    shortens = true;
                }
            }

            if (stops || shortens)
            {
                // A bound that cannot be read (a setting) may be the tightest: then the cap is unknown, not reported.
                var cap = TimeSpanConstants.Evaluate(bound, _symbols, _semanticModels) ?? SecondsCap(comparison, bound);
                tightest = tightest is not { } before ? new CapGuard(cap)
                    : before.Cap is { } earlier && cap is { } known ? new CapGuard(known < earlier ? known : earlier)
                    : new CapGuard(null);
            }
        }

        return tightest;
    }

    /// <summary>The ifs of a body whose condition is a relational comparison: collected once per body.</summary>
    private List<IConditionalOperation> ComparisonsIn(IOperation operation)
    {
        var root = operation;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        if (!_comparisonsByRoot.TryGetValue(root, out var found))
        {
            found = new List<IConditionalOperation>();
            foreach (var candidate in OperationWalk.Descendants(root, intoFunctions: false))
            {
                if (candidate is IConditionalOperation { Condition: IBinaryOperation comparison } guard &&
                    comparison.OperatorKind is BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or
                        BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual)
                {
                    found.Add(guard);
                }
            }

            _comparisonsByRoot[root] = found;
        }

        return found;
    }

    /// <summary><c>wait.TotalSeconds > 300</c>: a number compared with a unit-named property is a duration.</summary>
    private static TimeSpan? SecondsCap(IBinaryOperation comparison, IOperation bound)
    {
        var other = ReferenceEquals(bound, comparison.RightOperand) ? comparison.LeftOperand : comparison.RightOperand;
        if (bound.ConstantValue is not { HasValue: true, Value: var value } || value is null or string ||
            other is not IPropertyReferenceOperation property)
        {
            return null;
        }

        double number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
        double? ticks = property.Property.Name switch
        {
            "TotalSeconds" or "Seconds" => number * TimeSpan.TicksPerSecond,
            "TotalMilliseconds" or "Milliseconds" => number * TimeSpan.TicksPerMillisecond,
            "TotalMinutes" or "Minutes" => number * TimeSpan.TicksPerMinute,
            "TotalHours" or "Hours" => number * TimeSpan.TicksPerHour,
            _ => null,
        };
        return ticks is { } t && t >= 0 && t < TimeSpan.MaxValue.Ticks ? TimeSpan.FromTicks((long)t) : null;
    }

    private readonly struct CapGuard
    {
        public CapGuard(TimeSpan? cap) => Cap = cap;

        public TimeSpan? Cap { get; }
    }

    private static bool References(IOperation operation, ISymbol symbol)
    {
        foreach (var node in OperationWalk.Descendants(operation, intoFunctions: false))
        {
            if (ReferencedSymbol(node) is { } found && SymbolEqualityComparer.Default.Equals(found, symbol))
            {
                return true;
            }
        }

        return ReferencedSymbol(operation) is { } self && SymbolEqualityComparer.Default.Equals(self, symbol);
    }
}
