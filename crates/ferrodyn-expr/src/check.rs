//! The second and third phases: the walk and validation.
//!
//! DynamoDB checks a parsed expression in two passes, and the pass decides
//! which of several errors a request gets:
//!
//! 1. **The walk** visits the syntax tree in document order, entering a node
//!    before its children. It rejects reserved words, list indexes beyond a
//!    32-bit integer, unknown functions, functions in the wrong expression
//!    kind or position, and repeated update clauses (when the second clause
//!    ends).
//! 2. **Validation** resolves placeholders and checks operators, visiting
//!    children before their parent (post-order). Each operator checks, in
//!    order: its operand count, each operand's type, that a path first
//!    operand does not reappear, then its own rules (BETWEEN bounds, IN
//!    size, `attribute_type` names, ...). Every operator counts against
//!    [`EXPRESSION_OPERATORS_MAX`].
//!
//! The first error found wins, so in `attribute_exists(views, #x)` the
//! reserved word `views` (walk) is reported before the wrong operand count
//! and the undefined `#x` (validation).
//!
//! Types are tracked as sets because an operand's type may be unknown until
//! evaluation: a path can be anything, `size()` is a number, a comparison is
//! a boolean. An operand is accepted when its possible types meet the
//! operator's accepted types; only constants (`:values`) and function
//! results can be rejected before evaluation.

use ferrodyn_model::AttributeType;
use ferrodyn_model::limits::{DOCUMENT_PATH_DEPTH_MAX, EXPRESSION_OPERATORS_MAX, IN_OPERANDS_MAX};

use crate::ast::{Condition, Operand, SetOperand, SetValue};
use crate::error::{Problem, UpdateClause};
use crate::path::{DocumentPath, PathElement};
use crate::placeholders::{Placeholders, Usage};
use crate::reserved::is_reserved;
use crate::syntax::{Ident, RawCall, RawCondition, RawElement, RawOperand, RawPath, RawSetValue};
use crate::value::{compare_ordered, is_set_type, type_word};

/// The functions DynamoDB documents. DynamoDB Local also knows `convert`,
/// `contains_key`, `contains_value` and `list_delete`, which the service
/// does not document; ferrodyn treats them as unknown names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Function {
    AttributeExists,
    AttributeNotExists,
    AttributeType,
    BeginsWith,
    Contains,
    Size,
    IfNotExists,
    ListAppend,
}

impl Function {
    /// Function names are case-sensitive.
    pub fn from_name(name: &str) -> Option<Function> {
        Some(match name {
            "attribute_exists" => Function::AttributeExists,
            "attribute_not_exists" => Function::AttributeNotExists,
            "attribute_type" => Function::AttributeType,
            "begins_with" => Function::BeginsWith,
            "contains" => Function::Contains,
            "size" => Function::Size,
            "if_not_exists" => Function::IfNotExists,
            "list_append" => Function::ListAppend,
            _ => return None,
        })
    }

    /// The function's name as written and as messages print it.
    pub fn name(self) -> &'static str {
        match self {
            Function::AttributeExists => "attribute_exists",
            Function::AttributeNotExists => "attribute_not_exists",
            Function::AttributeType => "attribute_type",
            Function::BeginsWith => "begins_with",
            Function::Contains => "contains",
            Function::Size => "size",
            Function::IfNotExists => "if_not_exists",
            Function::ListAppend => "list_append",
        }
    }

    fn in_conditions(self) -> bool {
        !matches!(self, Function::IfNotExists | Function::ListAppend)
    }

    fn returns_boolean(self) -> bool {
        !matches!(
            self,
            Function::Size | Function::IfNotExists | Function::ListAppend
        )
    }
}

/// A set of attribute types, one bit per type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TypeSet(u16);

const ALL_TYPES_IN_MESSAGE_ORDER: [AttributeType; 10] = [
    AttributeType::Ns,
    AttributeType::Ss,
    AttributeType::L,
    AttributeType::Bs,
    AttributeType::N,
    AttributeType::M,
    AttributeType::B,
    AttributeType::Bool,
    AttributeType::Null,
    AttributeType::S,
];

impl TypeSet {
    const ALL: TypeSet = TypeSet(0x3ff);

    fn bit(t: AttributeType) -> u16 {
        1 << match t {
            AttributeType::S => 0,
            AttributeType::N => 1,
            AttributeType::B => 2,
            AttributeType::Bool => 3,
            AttributeType::Null => 4,
            AttributeType::M => 5,
            AttributeType::L => 6,
            AttributeType::Ss => 7,
            AttributeType::Ns => 8,
            AttributeType::Bs => 9,
        }
    }

    fn of(types: &[AttributeType]) -> TypeSet {
        TypeSet(types.iter().fold(0, |acc, t| acc | TypeSet::bit(*t)))
    }

    fn single(t: AttributeType) -> TypeSet {
        TypeSet(TypeSet::bit(t))
    }

    fn ordered() -> TypeSet {
        TypeSet::of(&[AttributeType::S, AttributeType::N, AttributeType::B])
    }

    fn string_or_binary() -> TypeSet {
        TypeSet::of(&[AttributeType::S, AttributeType::B])
    }

    /// What `size()` measures: strings, binaries, sets, lists and maps.
    fn sizeable() -> TypeSet {
        TypeSet::of(&[
            AttributeType::S,
            AttributeType::B,
            AttributeType::Ss,
            AttributeType::Ns,
            AttributeType::Bs,
            AttributeType::L,
            AttributeType::M,
        ])
    }

    fn meets(self, other: TypeSet) -> bool {
        self.0 & other.0 != 0
    }

    /// DynamoDB's notation: a single type as its wire name, several in
    /// braces. The order of the full set is the one DynamoDB was observed to
    /// print (docs/compatibility.md).
    fn describe(self) -> String {
        let members: Vec<&str> = ALL_TYPES_IN_MESSAGE_ORDER
            .iter()
            .filter(|t| self.0 & TypeSet::bit(**t) != 0)
            .map(|t| t.wire_name())
            .collect();
        match members.as_slice() {
            [one] => (*one).to_string(),
            many => format!("{{{}}}", many.join(",")),
        }
    }
}

/// Whether an update or a condition is being walked: they allow different
/// functions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Condition,
    Update,
}

/// The walk over a syntax tree (phase 2).
pub(crate) struct Walk {
    category: Category,
}

impl Walk {
    pub fn new(category: Category) -> Walk {
        Walk { category }
    }

    pub fn path(&self, path: &RawPath) -> Result<(), Problem> {
        walk_ident(&path.head)?;
        for element in &path.rest {
            match element {
                RawElement::Key(ident) => walk_ident(ident)?,
                RawElement::Index(digits) => {
                    if digits.parse::<i32>().is_err() {
                        return Err(Problem::ListIndexOutOfRange {
                            digits: digits.clone(),
                        });
                    }
                }
                RawElement::Value(_) => {}
            }
        }
        Ok(())
    }

    pub fn condition(&self, condition: &RawCondition) -> Result<(), Problem> {
        match condition {
            RawCondition::Compare(_, left, right) => {
                self.operand(left, 1)?;
                self.operand(right, 1)
            }
            RawCondition::In(left, list) => {
                self.operand(left, 1)?;
                list.iter().try_for_each(|operand| self.operand(operand, 1))
            }
            RawCondition::Between(operand, low, high) => {
                self.operand(operand, 1)?;
                self.operand(low, 1)?;
                self.operand(high, 1)
            }
            RawCondition::Call(call) => self.call(call, 0),
            RawCondition::Not(inner) => self.condition(inner),
            RawCondition::And(left, right) | RawCondition::Or(left, right) => {
                self.condition(left)?;
                self.condition(right)
            }
        }
    }

    pub fn set_value(&self, value: &RawSetValue) -> Result<(), Problem> {
        match value {
            RawSetValue::Operand(operand) => self.operand(operand, 0),
            RawSetValue::Arithmetic(_, left, right) => {
                self.operand(left, 1)?;
                self.operand(right, 1)
            }
        }
    }

    fn operand(&self, operand: &RawOperand, nesting: usize) -> Result<(), Problem> {
        match operand {
            RawOperand::Path(path) => self.path(path),
            RawOperand::Value(_) => Ok(()),
            RawOperand::Call(call) => self.call(call, nesting),
        }
    }

    /// DynamoDB checks a call when entering it, before its arguments.
    fn call(&self, call: &RawCall, nesting: usize) -> Result<(), Problem> {
        let name = || call.name.clone();
        let Some(function) = Function::from_name(&call.name) else {
            return Err(Problem::InvalidFunctionName { name: name() });
        };
        match self.category {
            Category::Condition => {
                if !function.in_conditions() {
                    return Err(Problem::FunctionNotAllowedInCondition { name: name() });
                }
                let misplaced = if nesting == 0 {
                    !function.returns_boolean()
                } else {
                    function != Function::Size
                };
                if misplaced {
                    return Err(Problem::FunctionMisused { name: name() });
                }
            }
            Category::Update => {
                if function.in_conditions() {
                    return Err(Problem::FunctionNotAllowedInUpdate { name: name() });
                }
                if nesting > 0 && function != Function::IfNotExists {
                    return Err(Problem::FunctionMisused { name: name() });
                }
            }
        }
        call.args
            .iter()
            .try_for_each(|arg| self.operand(arg, nesting + 1))
    }
}

fn walk_ident(ident: &Ident) -> Result<(), Problem> {
    match ident {
        Ident::Literal(name) if is_reserved(name) => Err(Problem::ReservedKeyword {
            keyword: name.clone(),
        }),
        _ => Ok(()),
    }
}

/// What the generic operator checks need to know about one operand.
enum Info<'a> {
    Path(&'a DocumentPath),
    Value(&'a ferrodyn_model::AttributeValue),
    Computed(TypeSet),
}

impl Info<'_> {
    fn types(&self) -> TypeSet {
        match self {
            Info::Path(_) => TypeSet::ALL,
            Info::Value(value) => TypeSet::single(value.attribute_type()),
            Info::Computed(types) => *types,
        }
    }
}

fn operand_info(operand: &Operand) -> Info<'_> {
    match operand {
        Operand::Path(path) => Info::Path(path),
        Operand::Value(value) => Info::Value(value),
        Operand::Size(_) => Info::Computed(TypeSet::single(AttributeType::N)),
    }
}

fn set_operand_info(operand: &SetOperand) -> Info<'_> {
    match operand {
        SetOperand::Path(path) => Info::Path(path),
        SetOperand::Value(value) => Info::Value(value),
        SetOperand::IfNotExists(..) => Info::Computed(TypeSet::ALL),
        SetOperand::ListAppend(..) => Info::Computed(TypeSet::single(AttributeType::L)),
    }
}

/// The rules every operator shares.
struct OperatorRules {
    /// Its name in messages.
    name: &'static str,
    /// The operand count it requires, if fixed.
    count: Option<usize>,
    /// The operand types it accepts.
    accepts: TypeSet,
    /// Whether operands may be missing at evaluation; DynamoDB applies the
    /// distinct-first-operand rule to exactly these operators.
    allows_missing: bool,
}

/// Validation (phase 3): resolution of placeholders and operator checks.
pub(crate) struct Validator<'p> {
    placeholders: Placeholders<'p>,
    pub usage: Usage,
    operators: usize,
}

impl<'p> Validator<'p> {
    pub fn new(placeholders: Placeholders<'p>) -> Validator<'p> {
        Validator {
            placeholders,
            usage: Usage::default(),
            operators: 0,
        }
    }

    /// Resolves a path: depth limit, then each element in order.
    pub fn path(&mut self, path: &RawPath) -> Result<DocumentPath, Problem> {
        let depth = 1 + path.rest.len();
        if depth > DOCUMENT_PATH_DEPTH_MAX {
            return Err(Problem::PathTooDeep { depth });
        }
        let mut elements = Vec::with_capacity(depth);
        elements.push(PathElement::Key(self.ident(&path.head)?));
        for element in &path.rest {
            elements.push(match element {
                RawElement::Key(ident) => PathElement::Key(self.ident(ident)?),
                RawElement::Index(digits) => {
                    // The walk has checked that the digits fit an i32.
                    let index =
                        digits
                            .parse::<usize>()
                            .map_err(|_| Problem::ListIndexOutOfRange {
                                digits: digits.clone(),
                            })?;
                    PathElement::Index(index)
                }
                RawElement::Value(value) => {
                    return Err(Problem::PathContainsValue {
                        value: value.clone(),
                    });
                }
            });
        }
        Ok(DocumentPath::new(elements))
    }

    fn ident(&mut self, ident: &Ident) -> Result<String, Problem> {
        match ident {
            Ident::Literal(name) => Ok(name.clone()),
            Ident::Placeholder(key) => {
                self.usage.use_name(key);
                self.placeholders
                    .name(key)
                    .map(str::to_string)
                    .ok_or_else(|| Problem::UndefinedName { name: key.clone() })
            }
        }
    }

    pub fn value(&mut self, key: &str) -> Result<ferrodyn_model::AttributeValue, Problem> {
        self.usage.use_value(key);
        self.placeholders
            .value(key)
            .cloned()
            .ok_or_else(|| Problem::UndefinedValue {
                value: key.to_string(),
            })
    }

    fn count_operator(&mut self) -> Result<(), Problem> {
        self.operators += 1;
        if self.operators > EXPRESSION_OPERATORS_MAX {
            return Err(Problem::TooManyOperators {
                count: self.operators,
            });
        }
        Ok(())
    }

    /// The checks every operator makes: count, types, distinct first path.
    fn check_operator(&self, rules: &OperatorRules, operands: &[Info<'_>]) -> Result<(), Problem> {
        if let Some(count) = rules.count
            && operands.len() != count
        {
            return Err(Problem::OperandCount {
                operator: rules.name.to_string(),
                count: operands.len(),
            });
        }
        for operand in operands {
            let types = operand.types();
            if !types.meets(rules.accepts) {
                return Err(Problem::OperandType {
                    operator: rules.name.to_string(),
                    operand_type: types.describe(),
                });
            }
        }
        if rules.allows_missing
            && let Some((Info::Path(first), rest)) = operands.split_first()
            && rest
                .iter()
                .any(|other| matches!(other, Info::Path(path) if path == first))
        {
            return Err(Problem::OperandsNotDistinct {
                operator: rules.name.to_string(),
                path: (*first).clone(),
            });
        }
        Ok(())
    }

    pub fn condition(&mut self, raw: &RawCondition) -> Result<Condition, Problem> {
        let condition = match raw {
            RawCondition::Compare(op, left, right) => {
                let left = self.operand(left)?;
                let right = self.operand(right)?;
                let ordered = !matches!(
                    op,
                    crate::syntax::Comparator::Eq | crate::syntax::Comparator::Ne
                );
                let rules = OperatorRules {
                    name: op.symbol(),
                    count: Some(2),
                    accepts: if ordered {
                        TypeSet::ordered()
                    } else {
                        TypeSet::ALL
                    },
                    allows_missing: true,
                };
                self.check_operator(&rules, &[operand_info(&left), operand_info(&right)])?;
                Condition::Compare {
                    op: *op,
                    left,
                    right,
                }
            }
            RawCondition::In(left, list) => {
                let operand = self.operand(left)?;
                let list = list
                    .iter()
                    .map(|raw| self.operand(raw))
                    .collect::<Result<Vec<_>, _>>()?;
                let infos: Vec<Info<'_>> = std::iter::once(&operand)
                    .chain(&list)
                    .map(operand_info)
                    .collect();
                let rules = OperatorRules {
                    name: "IN",
                    count: None,
                    accepts: TypeSet::ALL,
                    allows_missing: true,
                };
                self.check_operator(&rules, &infos)?;
                if list.len() > IN_OPERANDS_MAX {
                    return Err(Problem::TooManyInOperands { count: list.len() });
                }
                Condition::In { operand, list }
            }
            RawCondition::Between(operand, low, high) => {
                let operand = self.operand(operand)?;
                let low = self.operand(low)?;
                let high = self.operand(high)?;
                let rules = OperatorRules {
                    name: "BETWEEN",
                    count: Some(3),
                    accepts: TypeSet::ordered(),
                    allows_missing: true,
                };
                self.check_operator(
                    &rules,
                    &[
                        operand_info(&operand),
                        operand_info(&low),
                        operand_info(&high),
                    ],
                )?;
                if let (Operand::Value(lower), Operand::Value(upper)) = (&low, &high) {
                    if lower.attribute_type() != upper.attribute_type() {
                        return Err(Problem::BetweenTypes {
                            lower: lower.clone(),
                            upper: upper.clone(),
                        });
                    }
                    if compare_ordered(lower, upper) == Some(std::cmp::Ordering::Greater) {
                        return Err(Problem::BetweenOrder {
                            lower: lower.clone(),
                            upper: upper.clone(),
                        });
                    }
                }
                Condition::Between { operand, low, high }
            }
            RawCondition::Call(call) => self.condition_call(call)?,
            RawCondition::Not(inner) => {
                let inner = self.condition(inner)?;
                Condition::Not(Box::new(inner))
            }
            RawCondition::And(left, right) => {
                let left = self.condition(left)?;
                let right = self.condition(right)?;
                Condition::And(Box::new(left), Box::new(right))
            }
            RawCondition::Or(left, right) => {
                let left = self.condition(left)?;
                let right = self.condition(right)?;
                Condition::Or(Box::new(left), Box::new(right))
            }
        };
        self.count_operator()?;
        Ok(condition)
    }

    /// A function used as a condition. The walk admitted only functions
    /// that return booleans here.
    fn condition_call(&mut self, call: &RawCall) -> Result<Condition, Problem> {
        let args = call
            .args
            .iter()
            .map(|raw| self.operand(raw))
            .collect::<Result<Vec<_>, _>>()?;
        let function = Function::from_name(&call.name);
        let (count, accepts) = match function {
            Some(Function::AttributeExists | Function::AttributeNotExists) => (1, TypeSet::ALL),
            Some(Function::BeginsWith) => (2, TypeSet::string_or_binary()),
            Some(Function::AttributeType | Function::Contains) => (2, TypeSet::ALL),
            _ => {
                return Err(Problem::FunctionMisused {
                    name: call.name.clone(),
                });
            }
        };
        let rules = OperatorRules {
            name: function.map_or("", Function::name),
            count: Some(count),
            accepts,
            allows_missing: true,
        };
        let infos: Vec<Info<'_>> = args.iter().map(operand_info).collect();
        self.check_operator(&rules, &infos)?;
        let mut args = args.into_iter();
        let (Some(first), second) = (args.next(), args.next()) else {
            return Err(Problem::OperandCount {
                operator: call.name.clone(),
                count: 0,
            });
        };
        let require_path = |operand: Operand| match operand {
            Operand::Path(path) => Ok(path),
            _ => Err(Problem::PathRequired {
                operator: call.name.clone(),
            }),
        };
        match (function, second) {
            (Some(Function::AttributeExists), None) => {
                Ok(Condition::AttributeExists(require_path(first)?))
            }
            (Some(Function::AttributeNotExists), None) => {
                Ok(Condition::AttributeNotExists(require_path(first)?))
            }
            (Some(Function::AttributeType), Some(second)) => {
                let name = match &second {
                    Operand::Value(ferrodyn_model::AttributeValue::S(name)) => name.clone(),
                    other => {
                        return Err(Problem::OperandType {
                            operator: "attribute_type".to_string(),
                            operand_type: operand_info(other).types().describe(),
                        });
                    }
                };
                let Some(expected) = AttributeType::from_wire_name(&name) else {
                    return Err(Problem::InvalidTypeName { name });
                };
                Ok(Condition::AttributeType {
                    operand: first,
                    expected,
                })
            }
            (Some(Function::BeginsWith), Some(second)) => Ok(Condition::BeginsWith {
                operand: first,
                prefix: second,
            }),
            (Some(Function::Contains), Some(second)) => Ok(Condition::Contains {
                operand: first,
                element: second,
            }),
            _ => Err(Problem::FunctionMisused {
                name: call.name.clone(),
            }),
        }
    }

    /// An operand of a condition: a path, a value, or `size()`.
    fn operand(&mut self, raw: &RawOperand) -> Result<Operand, Problem> {
        match raw {
            RawOperand::Path(path) => Ok(Operand::Path(self.path(path)?)),
            RawOperand::Value(key) => Ok(Operand::Value(self.value(key)?)),
            RawOperand::Call(call) => {
                let args = call
                    .args
                    .iter()
                    .map(|raw| self.operand(raw))
                    .collect::<Result<Vec<_>, _>>()?;
                if call.name != "size" {
                    // The walk admits only size() as a nested function.
                    return Err(Problem::FunctionMisused {
                        name: call.name.clone(),
                    });
                }
                let rules = OperatorRules {
                    name: "size",
                    count: Some(1),
                    accepts: TypeSet::sizeable(),
                    allows_missing: true,
                };
                let infos: Vec<Info<'_>> = args.iter().map(operand_info).collect();
                self.check_operator(&rules, &infos)?;
                self.count_operator()?;
                let arg = args.into_iter().next().ok_or(Problem::OperandCount {
                    operator: "size".to_string(),
                    count: 0,
                })?;
                Ok(Operand::Size(Box::new(arg)))
            }
        }
    }

    pub fn set_value(&mut self, raw: &RawSetValue) -> Result<SetValue, Problem> {
        match raw {
            RawSetValue::Operand(operand) => Ok(SetValue::Operand(self.set_operand(operand)?)),
            RawSetValue::Arithmetic(op, left, right) => {
                let left = self.set_operand(left)?;
                let right = self.set_operand(right)?;
                let rules = OperatorRules {
                    name: op.symbol(),
                    count: Some(2),
                    accepts: TypeSet::single(AttributeType::N),
                    allows_missing: false,
                };
                self.check_operator(&rules, &[set_operand_info(&left), set_operand_info(&right)])?;
                self.count_operator()?;
                Ok(SetValue::Arithmetic(*op, left, right))
            }
        }
    }

    fn set_operand(&mut self, raw: &RawOperand) -> Result<SetOperand, Problem> {
        match raw {
            RawOperand::Path(path) => Ok(SetOperand::Path(self.path(path)?)),
            RawOperand::Value(key) => Ok(SetOperand::Value(self.value(key)?)),
            RawOperand::Call(call) => {
                let args = call
                    .args
                    .iter()
                    .map(|raw| self.set_operand(raw))
                    .collect::<Result<Vec<_>, _>>()?;
                let function = Function::from_name(&call.name);
                let rules = match function {
                    Some(Function::IfNotExists) => OperatorRules {
                        name: "if_not_exists",
                        count: Some(2),
                        accepts: TypeSet::ALL,
                        allows_missing: true,
                    },
                    Some(Function::ListAppend) => OperatorRules {
                        name: "list_append",
                        count: Some(2),
                        accepts: TypeSet::single(AttributeType::L),
                        allows_missing: false,
                    },
                    _ => {
                        return Err(Problem::FunctionNotAllowedInUpdate {
                            name: call.name.clone(),
                        });
                    }
                };
                let infos: Vec<Info<'_>> = args.iter().map(set_operand_info).collect();
                self.check_operator(&rules, &infos)?;
                let mut args = args.into_iter();
                let (Some(first), Some(second)) = (args.next(), args.next()) else {
                    return Err(Problem::OperandCount {
                        operator: rules.name.to_string(),
                        count: call.args.len(),
                    });
                };
                let operand = if function == Some(Function::IfNotExists) {
                    let SetOperand::Path(path) = first else {
                        return Err(Problem::PathRequired {
                            operator: "if_not_exists".to_string(),
                        });
                    };
                    SetOperand::IfNotExists(path, Box::new(second))
                } else {
                    SetOperand::ListAppend(Box::new(first), Box::new(second))
                };
                self.count_operator()?;
                Ok(operand)
            }
        }
    }

    /// The type rule of ADD and DELETE values: a number or set for ADD, a
    /// set for DELETE.
    pub fn update_value_type(
        clause: UpdateClause,
        value: &ferrodyn_model::AttributeValue,
    ) -> Result<(), Problem> {
        let t = value.attribute_type();
        let allowed = is_set_type(t) || (clause == UpdateClause::Add && t == AttributeType::N);
        if allowed {
            Ok(())
        } else {
            Err(Problem::UpdateOperandType {
                clause,
                operand_type: type_word(t),
            })
        }
    }
}
