extension Adult {
    /// Every value each categorical attribute takes, in ``categoricalNames`` order, as `adult.names`
    /// lists them (UCI, "Adult" data set description, "Attribute Information"; Kohavi 1996). The
    /// distributed `adult.data` and `adult.test` use exactly these values (and `?` for missing), so any
    /// other value is a damaged or altered file: refused while parsing, naming the file, line and field,
    /// before a run is recorded. (Left in, an unknown value would either silently encode as an all-zero
    /// block — in the test file — or change the feature width the model was built for — in the training
    /// file — and fail only at the first batch.)
    public static let categoryValues: [Set<String>] = [
        [
            "Private", "Self-emp-not-inc", "Self-emp-inc", "Federal-gov", "Local-gov", "State-gov", "Without-pay",
            "Never-worked",
        ],
        [
            "Bachelors", "Some-college", "11th", "HS-grad", "Prof-school", "Assoc-acdm", "Assoc-voc", "9th",
            "7th-8th", "12th", "Masters", "1st-4th", "10th", "Doctorate", "5th-6th", "Preschool",
        ],
        [
            "Married-civ-spouse", "Divorced", "Never-married", "Separated", "Widowed", "Married-spouse-absent",
            "Married-AF-spouse",
        ],
        [
            "Tech-support", "Craft-repair", "Other-service", "Sales", "Exec-managerial", "Prof-specialty",
            "Handlers-cleaners", "Machine-op-inspct", "Adm-clerical", "Farming-fishing", "Transport-moving",
            "Priv-house-serv", "Protective-serv", "Armed-Forces",
        ],
        ["Wife", "Own-child", "Husband", "Not-in-family", "Other-relative", "Unmarried"],
        ["White", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other", "Black"],
        ["Female", "Male"],
        [
            "United-States", "Cambodia", "England", "Puerto-Rico", "Canada", "Germany",
            "Outlying-US(Guam-USVI-etc)", "India", "Japan", "Greece", "South", "China", "Cuba", "Iran", "Honduras",
            "Philippines", "Italy", "Poland", "Jamaica", "Vietnam", "Mexico", "Portugal", "Ireland", "France",
            "Dominican-Republic", "Laos", "Ecuador", "Taiwan", "Haiti", "Columbia", "Hungary", "Guatemala",
            "Nicaragua", "Scotland", "Thailand", "Yugoslavia", "El-Salvador", "Trinadad&Tobago", "Peru", "Hong",
            "Holand-Netherlands",
        ],
    ]
}
