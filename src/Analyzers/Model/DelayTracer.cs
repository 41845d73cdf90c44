using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace RetryGuard.Analyzers.Model;

/// <summary>
/// Follows a value back to where it comes from — through locals, numeric parameters, readonly fields, get-only
/// properties and small helper methods of the same compilation — and says which <see cref="DelaySource"/>s make
/// it up. Bounded: a fixed budget of visited operations and a fixed helper depth, so it is linear in the code it
/// looks at and never recursive without end.
/// </summary>
internal sealed class DelayTracer
{
    private const int MaxHelperDepth = 3;
    private const int Budget = 600;

    private readonly KnownSymbols _symbols;
    private readonly Func<SyntaxTree, SemanticModel?> _semanticModels;
    private readonly Dictionary<IOperation, LocalWrites> _writesByRoot = new();
    private readonly HashSet<ISymbol> _inProgress = new(SymbolEqualityComparer.Default);
    private readonly Stack<Dictionary<IParameterSymbol, IOperation>> _bindings = new();
    private readonly IReadOnlyList<string> _jitterMethods;
    private int _visited;

    // The time unit of the number being traced (ticks per unit), when known: milliseconds for Task.Delay(int),
    // seconds inside TimeSpan.FromSeconds(...). Lets a numeric cap such as Math.Min(x, 60) be read as a duration.
    private double? _unitTicks;

    public DelayTracer(KnownSymbols symbols, Func<SyntaxTree, SemanticModel?> semanticModels, IReadOnlyList<string>? jitterMethods = null)
    {
        _symbols = symbols;
        _semanticModels = semanticModels;
        _jitterMethods = jitterMethods ?? Array.Empty<string>();
    }

    /// <summary>The smallest constant cap seen by the last <see cref="Trace"/>, when one was readable as a duration.</summary>
    public TimeSpan? Cap { get; private set; }

    /// <summary>Traces a delay value. <paramref name="milliseconds"/>: a bare number means milliseconds (Task.Delay(int)).</summary>
    public DelaySource Trace(IOperation? operation, bool milliseconds = false)
    {
        _visited = 0;
        Cap = null;
        _unitTicks = milliseconds ? TimeSpan.TicksPerMillisecond : null;
        return Visit(operation);
    }

    private void NoteCap(IOperation bound)
    {
        TimeSpan? cap = TimeSpanConstants.Evaluate(bound, _symbols, _semanticModels);
        if (cap is null && _unitTicks is { } unit && bound.ConstantValue is { HasValue: true, Value: var value } && value is not string)
        {
            double number = Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture);
            if (number >= 0 && number * unit < TimeSpan.MaxValue.Ticks)
            {
                cap = TimeSpan.FromTicks((long)(number * unit));
            }
        }

        if (cap is { } found && (Cap is null || found < Cap))
        {
            Cap = found;
        }
    }

    private DelaySource Visit(IOperation? operation)
    {
        if (operation is null)
        {
            return DelaySource.Unknown;
        }

        if (++_visited > Budget)
        {
            return DelaySource.Unknown;
        }

        if (operation.ConstantValue.HasValue)
        {
            return DelaySource.Constant;
        }

        switch (operation)
        {
            case IConversionOperation conversion:
                return Visit(conversion.Operand);
            case IParenthesizedOperation parenthesized:
                return Visit(parenthesized.Operand);
            case IDefaultValueOperation:
                return DelaySource.Constant;
            case IBinaryOperation binary:
                return VisitBinary(binary);
            case IUnaryOperation unary:
                return Visit(unary.Operand);
            case IIncrementOrDecrementOperation:
                return DelaySource.Computed;
            case IConditionalOperation conditional:
                return VisitConditional(conditional);
            case ICoalesceOperation coalesce:
                return Visit(coalesce.Value) | Visit(coalesce.WhenNull);
            case IInvocationOperation invocation:
                return VisitInvocation(invocation);
            case IObjectCreationOperation creation:
                return VisitArguments(creation.Arguments, DelaySource.Computed);
            case ILocalReferenceOperation local:
                return VisitLocal(local);
            case IParameterReferenceOperation parameter:
                return VisitParameter(parameter.Parameter);
            case IFieldReferenceOperation field:
                return VisitField(field);
            case IPropertyReferenceOperation property:
                return VisitProperty(property);
            case ISimpleAssignmentOperation assignment:
                return Visit(assignment.Value);
            case ICompoundAssignmentOperation compound:
                return VisitCompound(compound);
            case IAwaitOperation awaited:
                return Visit(awaited.Operation);
            case IArrayElementReferenceOperation element:
                return Visit(element.ArrayReference);
            case IArrayCreationOperation array:
                return VisitArray(array);
            case IArrayInitializerOperation initializer:
                return VisitAll(initializer.ElementValues);
            case IConditionalAccessOperation conditionalAccess:
                // response.Headers.RetryAfter?.Delta: what is read decides.
                return Visit(conditionalAccess.WhenNotNull);
            case IConditionalAccessInstanceOperation instance:
                return VisitConditionalReceiver(instance);
            default:
                return DelaySource.Unknown;
        }
    }

    /// <summary><c>wait > max ? max : wait</c> is a cap as much as <c>Math.Min</c> is.</summary>
    private DelaySource VisitConditional(IConditionalOperation conditional)
    {
        var sources = Visit(conditional.WhenTrue) | Visit(conditional.WhenFalse!);
        if (conditional.Condition is IBinaryOperation
            {
                OperatorKind: BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual or
                              BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual,
            } comparison && conditional.WhenFalse is not null)
        {
            foreach (var branch in new[] { conditional.WhenTrue, conditional.WhenFalse })
            {
                string text = branch.Syntax.ToString();
                if (text == comparison.LeftOperand.Syntax.ToString() || text == comparison.RightOperand.Syntax.ToString())
                {
                    sources |= DelaySource.Capped;
                }
            }

            if (sources.Has(DelaySource.Capped))
            {
                NoteCap(conditional.WhenTrue);
                NoteCap(conditional.WhenFalse);
            }
        }

        else if (conditional.Condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } all &&
                 conditional.WhenFalse is not null && UpperBoundInConjunction(all, conditional.WhenTrue.Syntax.ToString()) is { } bound)
        {
            // RetryAfter.GetDelay(r) is { } wait && wait <= max ? wait : backoff: the chosen wait never exceeds max.
            sources |= DelaySource.Capped;
            NoteCap(bound);
        }

        return sources;
    }

    /// <summary>
    /// In <c>a &amp;&amp; b &amp;&amp; ...</c>, the bound of a conjunct <c>value &lt;= bound</c> (or <c>bound &gt;= value</c>, strict
    /// too) whose value is written as <paramref name="value"/>: when the whole condition holds, the value is below it.
    /// </summary>
    private static IOperation? UpperBoundInConjunction(IBinaryOperation conjunction, string value)
    {
        foreach (var side in new[] { conjunction.LeftOperand, conjunction.RightOperand })
        {
            switch (side)
            {
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } nested:
                    if (UpperBoundInConjunction(nested, value) is { } found)
                    {
                        return found;
                    }

                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual } below
                    when below.LeftOperand.Syntax.ToString() == value:
                    return below.RightOperand;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.GreaterThan or BinaryOperatorKind.GreaterThanOrEqual } above
                    when above.RightOperand.Syntax.ToString() == value:
                    return above.LeftOperand;
            }
        }

        return null;
    }

    private DelaySource VisitConditionalReceiver(IConditionalAccessInstanceOperation instance)
    {
        for (var current = instance.Parent; current is not null; current = current.Parent)
        {
            if (current is IConditionalAccessOperation access && OperationWalk.IsWithin(instance, access.WhenNotNull))
            {
                return Visit(access.Operation);
            }
        }

        return DelaySource.Unknown;
    }

    private DelaySource VisitAll(IEnumerable<IOperation> operations)
    {
        var sources = DelaySource.None;
        foreach (var operation in operations)
        {
            sources |= Visit(operation);
        }

        return sources == DelaySource.None ? DelaySource.Constant : sources;
    }

    private DelaySource VisitArray(IArrayCreationOperation array) =>
        array.Initializer is null ? DelaySource.Unknown : VisitAll(array.Initializer.ElementValues);

    private DelaySource VisitBinary(IBinaryOperation binary)
    {
        var sources = Visit(binary.LeftOperand) | Visit(binary.RightOperand) | DelaySource.Computed;
        if (binary.OperatorKind == BinaryOperatorKind.LeftShift)
        {
            sources |= DelaySource.Exponential;
        }

        return sources;
    }

    private DelaySource VisitCompound(ICompoundAssignmentOperation compound)
    {
        var sources = Visit(compound.Value) | DelaySource.Computed;
        if (compound.OperatorKind is BinaryOperatorKind.Multiply or BinaryOperatorKind.LeftShift)
        {
            sources |= DelaySource.Exponential;
        }

        return sources;
    }

    private DelaySource VisitArguments(IEnumerable<IArgumentOperation> arguments, DelaySource seed)
    {
        var sources = seed;
        foreach (var argument in arguments)
        {
            sources |= Visit(argument.Value);
        }

        return sources;
    }

    private DelaySource VisitInvocation(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        var type = method.ContainingType;

        if (IsRandomSource(method))
        {
            return DelaySource.Random;
        }

        if (RetryAfterReads.IsRetryAfterRead(invocation, _symbols))
        {
            return DelaySource.RetryAfter;
        }

        if (KnownSymbols.Is(type, _symbols.Math))
        {
            var sources = VisitArguments(invocation.Arguments, DelaySource.Computed);
            switch (method.Name)
            {
                case "Min":
                    sources |= DelaySource.Capped;
                    foreach (var argument in invocation.Arguments)
                    {
                        NoteCap(argument.Value);
                    }

                    break;
                case "Clamp":
                    sources |= DelaySource.Capped;
                    if (invocation.Arguments.Length == 3)
                    {
                        NoteCap(invocation.Arguments[2].Value);
                    }

                    break;
                case "Pow":
                case "Exp":
                    sources |= DelaySource.Exponential;
                    break;
            }

            return sources;
        }

        if (KnownSymbols.Is(type, _symbols.TimeSpan) && method.IsStatic && UnitOf(method.Name) is { } unit && invocation.Arguments.Length >= 1)
        {
            var saved = _unitTicks;
            _unitTicks = unit;
            try
            {
                return VisitArguments(invocation.Arguments, DelaySource.Computed);
            }
            finally
            {
                _unitTicks = saved;
            }
        }

        if (IsPureValueMethod(method))
        {
            var sources = VisitArguments(invocation.Arguments, DelaySource.Computed);
            if (invocation.Instance is not null)
            {
                sources |= Visit(invocation.Instance);
            }

            return sources;
        }

        return VisitHelper(invocation);
    }

    /// <summary>
    /// Methods of value types and helpers that compute a result from their inputs alone: TimeSpan factories and
    /// arithmetic, conversions, parsing, LINQ element selection.
    /// </summary>
    private bool IsPureValueMethod(IMethodSymbol method)
    {
        var type = method.ContainingType;
        if (type is null)
        {
            return false;
        }

        if (KnownSymbols.Is(type, _symbols.TimeSpan))
        {
            return true;
        }

        switch (type.SpecialType)
        {
            case SpecialType.System_Int16:
            case SpecialType.System_Int32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt32:
            case SpecialType.System_UInt64:
            case SpecialType.System_Double:
            case SpecialType.System_Single:
            case SpecialType.System_Decimal:
            case SpecialType.System_String:
                return true;
        }

        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return (ns == "System" && type.Name is "Convert" or "MathF" or "Nullable") ||
               (ns == "System.Linq" && type.Name == "Enumerable" && method.Name is
                   "First" or "FirstOrDefault" or "Single" or "SingleOrDefault" or "Last" or "LastOrDefault" or
                   "ElementAt" or "ElementAtOrDefault" or "Max" or "Min" or "Sum" or "Range" or "Repeat" or "ToArray" or
                   "ToList");
    }

    private static double? UnitOf(string factory) => factory switch
    {
        "FromTicks" => 1,
        "FromMilliseconds" => TimeSpan.TicksPerMillisecond,
        "FromSeconds" => TimeSpan.TicksPerSecond,
        "FromMinutes" => TimeSpan.TicksPerMinute,
        "FromHours" => TimeSpan.TicksPerHour,
        "FromDays" => TimeSpan.TicksPerDay,
        _ => null,
    };

    private bool IsRandomSource(IMethodSymbol method)
    {
        foreach (var name in _jitterMethods)
        {
            if (string.Equals(method.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        for (var type = method.ContainingType; type is not null; type = type.BaseType)
        {
            string name = type.ToDisplayString();
            if (name is "System.Random" or "System.Security.Cryptography.RandomNumberGenerator")
            {
                return true;
            }
        }

        string full = method.ContainingType?.ToDisplayString() ?? string.Empty;
        if (full == "RetryGuard.Backoff")
        {
            return method.Name is "WithJitter" or "Exponential";
        }

        if (full == "Polly.Contrib.WaitAndRetry.Backoff")
        {
            return method.Name.IndexOf("Jitter", StringComparison.Ordinal) >= 0;
        }

        // A helper named for what it does: AddJitter, WithJitter, NextRandomDelay, Randomize ...
        return method.Name.IndexOf("Jitter", StringComparison.OrdinalIgnoreCase) >= 0 ||
               method.Name.IndexOf("Random", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    private DelaySource VisitHelper(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod.OriginalDefinition;
        if (_bindings.Count >= MaxHelperDepth || method.IsAbstract || method.IsExtern || !_inProgress.Add(method))
        {
            return DelaySource.Unknown;
        }

        try
        {
            var body = GetBody(method);
            if (body is null)
            {
                return DelaySource.Unknown;
            }

            var binding = new Dictionary<IParameterSymbol, IOperation>(SymbolEqualityComparer.Default);
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is not null)
                {
                    binding[argument.Parameter.OriginalDefinition] = argument.Value;
                }
            }

            _bindings.Push(binding);
            try
            {
                var sources = DelaySource.None;
                foreach (var returned in ReturnedValues(body))
                {
                    sources |= Visit(returned);
                }

                return sources == DelaySource.None ? DelaySource.Unknown : sources;
            }
            finally
            {
                _bindings.Pop();
            }
        }
        finally
        {
            _inProgress.Remove(method);
        }
    }

    private IOperation? GetBody(IMethodSymbol method)
    {
        if (method.DeclaringSyntaxReferences.Length != 1)
        {
            return null;
        }

        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        var model = _semanticModels(syntax.SyntaxTree);
        if (model is null)
        {
            return null;
        }

        SyntaxNode? node = syntax switch
        {
            MethodDeclarationSyntax declaration => (SyntaxNode?)declaration.Body ?? declaration.ExpressionBody?.Expression,
            LocalFunctionStatementSyntax local => (SyntaxNode?)local.Body ?? local.ExpressionBody?.Expression,
            AccessorDeclarationSyntax accessor => (SyntaxNode?)accessor.Body ?? accessor.ExpressionBody?.Expression,
            ArrowExpressionClauseSyntax arrow => arrow.Expression,
            _ => null,
        };

        return node is null ? null : model.GetOperation(node);
    }

    /// <summary>The values a body returns: the expression of an expression body, or each <c>return</c>'s value.</summary>
    private static IEnumerable<IOperation> ReturnedValues(IOperation body)
    {
        if (body is not IBlockOperation)
        {
            yield return body;
            yield break;
        }

        foreach (var operation in OperationWalk.Descendants(body, intoFunctions: false))
        {
            if (operation is IReturnOperation { ReturnedValue: { } value })
            {
                yield return value;
            }
        }
    }

    private DelaySource VisitLocal(ILocalReferenceOperation reference)
    {
        var local = reference.Local;
        if (local.IsConst)
        {
            return DelaySource.Constant;
        }

        if (!_inProgress.Add(local))
        {
            // A local that feeds itself (delay = delay * 2): the other writes decide.
            return DelaySource.None;
        }

        try
        {
            var writes = WritesFor(reference);
            var values = writes.Get(local);
            if (values.Count == 0)
            {
                return DelaySource.Unknown;
            }

            var sources = DelaySource.None;
            foreach (var value in values)
            {
                sources |= Visit(value);
            }

            return sources;
        }
        finally
        {
            _inProgress.Remove(local);
        }
    }

    private LocalWrites WritesFor(IOperation reference)
    {
        var root = reference;
        while (root.Parent is not null)
        {
            root = root.Parent;
        }

        if (!_writesByRoot.TryGetValue(root, out var writes))
        {
            writes = LocalWrites.Collect(root);
            _writesByRoot[root] = writes;
        }

        return writes;
    }

    private DelaySource VisitParameter(IParameterSymbol parameter)
    {
        foreach (var binding in _bindings)
        {
            if (binding.TryGetValue(parameter.OriginalDefinition, out var argument))
            {
                // Evaluate the argument in the caller's scope.
                var saved = _bindings.Pop();
                try
                {
                    return Visit(argument);
                }
                finally
                {
                    _bindings.Push(saved);
                }
            }
        }

        if (_bindings.Count > 0 && parameter.HasExplicitDefaultValue)
        {
            return DelaySource.Constant;
        }

        // A number or duration handed in by the caller and used as it is: whatever the caller passes, the wait
        // adds no randomness of its own. Lambda parameters handed in by a framework (an attempt number) count too.
        return IsNumericOrDuration(parameter.Type) ? DelaySource.Computed : DelaySource.Unknown;
    }

    private bool IsNumericOrDuration(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        return KnownSymbols.Is(type, _symbols.TimeSpan) || type.SpecialType is
            SpecialType.System_Int16 or SpecialType.System_Int32 or SpecialType.System_Int64 or
            SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_Double or
            SpecialType.System_Single or SpecialType.System_Decimal;
    }

    private DelaySource VisitField(IFieldReferenceOperation reference)
    {
        var field = reference.Field;
        if (field.IsConst)
        {
            return DelaySource.Constant;
        }

        if (!field.IsReadOnly || field.DeclaringSyntaxReferences.Length != 1 || !_inProgress.Add(field))
        {
            return DelaySource.Unknown;
        }

        try
        {
            if (field.DeclaringSyntaxReferences[0].GetSyntax() is VariableDeclaratorSyntax { Initializer: { } initializer } declarator &&
                _semanticModels(declarator.SyntaxTree)?.GetOperation(initializer) is IFieldInitializerOperation init)
            {
                // A readonly field assigned in a constructor as well as initialised is not followed.
                return AssignedOutsideInitializer(field) ? DelaySource.Unknown : Visit(init.Value);
            }

            return DelaySource.Unknown;
        }
        finally
        {
            _inProgress.Remove(field);
        }
    }

    private static bool AssignedOutsideInitializer(IFieldSymbol field)
    {
        foreach (var reference in field.ContainingType.DeclaringSyntaxReferences)
        {
            foreach (var assignment in reference.GetSyntax().DescendantNodes().OfType<AssignmentExpressionSyntax>())
            {
                var left = assignment.Left is MemberAccessExpressionSyntax member ? member.Name : assignment.Left;
                if (left is IdentifierNameSyntax identifier && identifier.Identifier.ValueText == field.Name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private DelaySource VisitProperty(IPropertyReferenceOperation reference)
    {
        var property = reference.Property;

        if (RetryAfterReads.IsRetryAfterProperty(property, _symbols) || RetryAfterReads.IsRetryAfterIndexer(reference))
        {
            return DelaySource.RetryAfter;
        }

        var type = property.ContainingType;
        if (KnownSymbols.Is(type, _symbols.TimeSpan) ||
            type?.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            // delay.TotalMilliseconds, retryAfter.Value: the receiver decides.
            return reference.Instance is null ? DelaySource.Constant : Visit(reference.Instance) | DelaySource.Computed;
        }

        if (reference.Instance is IPropertyReferenceOperation or IInvocationOperation &&
            Visit(reference.Instance) is var receiver && receiver.Has(DelaySource.RetryAfter))
        {
            // response.Headers.RetryAfter.Delta.Value.TotalSeconds and the like.
            return receiver;
        }

        return VisitSourceProperty(property);
    }

    /// <summary>A get-only property of the same compilation: its initializer or its expression body.</summary>
    private DelaySource VisitSourceProperty(IPropertySymbol property)
    {
        if (property.SetMethod is not null || property.DeclaringSyntaxReferences.Length != 1 || !_inProgress.Add(property))
        {
            return DelaySource.Unknown;
        }

        try
        {
            if (property.DeclaringSyntaxReferences[0].GetSyntax() is not PropertyDeclarationSyntax declaration)
            {
                return DelaySource.Unknown;
            }

            var model = _semanticModels(declaration.SyntaxTree);
            SyntaxNode? value = declaration.ExpressionBody?.Expression ?? (SyntaxNode?)declaration.Initializer;
            if (model is null || value is null)
            {
                return DelaySource.Unknown;
            }

            var operation = model.GetOperation(value);
            return operation is IPropertyInitializerOperation initializer ? Visit(initializer.Value) : Visit(operation);
        }
        finally
        {
            _inProgress.Remove(property);
        }
    }

    /// <summary>Every value written to each local of one body: initialisers, assignments, out arguments, loop variables.</summary>
    private sealed class LocalWrites
    {
        private static readonly List<IOperation> None = new();
        private readonly Dictionary<ILocalSymbol, List<IOperation>> _writes = new(SymbolEqualityComparer.Default);

        public List<IOperation> Get(ILocalSymbol local) => _writes.TryGetValue(local, out var list) ? list : None;

        public static LocalWrites Collect(IOperation root)
        {
            var writes = new LocalWrites();
            foreach (var operation in OperationWalk.Descendants(root, intoFunctions: true))
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation { Initializer: { } initializer } declarator:
                        writes.Add(declarator.Symbol, initializer.Value);
                        break;
                    case IAssignmentOperation { Target: ILocalReferenceOperation target } assignment:
                        writes.Add(target.Local, assignment);
                        break;
                    case IIncrementOrDecrementOperation { Target: ILocalReferenceOperation target } increment:
                        writes.Add(target.Local, increment);
                        break;
                    case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref } argument:
                        var local = argument.Value switch
                        {
                            ILocalReferenceOperation reference => reference.Local,
                            IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared } => declared.Local,
                            _ => null,
                        };
                        if (local is not null && argument.Parent is IInvocationOperation invocation)
                        {
                            writes.Add(local, invocation);
                        }

                        break;
                    case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol declared } pattern when MatchedValue(pattern) is { } matched:
                        // response.Headers.RetryAfter?.Delta is { } wait / is TimeSpan wait
                        writes.Add(declared, matched);
                        break;
                    case IRecursivePatternOperation { DeclaredSymbol: ILocalSymbol declared } pattern when MatchedValue(pattern) is { } matched:
                        writes.Add(declared, matched);
                        break;
                    case IForEachLoopOperation loop:
                        foreach (var iterationLocal in loop.Locals)
                        {
                            writes.Add(iterationLocal, loop.Collection);
                        }

                        break;
                }
            }

            return writes;
        }

        /// <summary>The value a top-level pattern is matched against: <c>x</c> in <c>x is { } y</c>.</summary>
        private static IOperation? MatchedValue(IPatternOperation pattern) =>
            pattern.Parent is IIsPatternOperation isPattern && ReferenceEquals(isPattern.Pattern, pattern) ? isPattern.Value : null;

        private void Add(ILocalSymbol local, IOperation value)
        {
            if (!_writes.TryGetValue(local, out var list))
            {
                list = new List<IOperation>();
                _writes[local] = list;
            }

            list.Add(value);
        }
    }
}
